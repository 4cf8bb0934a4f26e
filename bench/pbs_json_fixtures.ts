/**
 * Deterministic, big `-F json` documents shaped exactly like the master
 * build's goldens (TAB indentation, `"key":<TAB>value`, same keys and types):
 * `qstat -f -F json` (tests/fixtures/golden/qstat_f_json_one, _array_t) and
 * `pbsnodes -a -F json` (pbsnodes_a_json_with_resv).
 */

const T = "\t";

function member(indent: number, key: string, value: unknown, last = false): string {
  return `${T.repeat(indent)}${JSON.stringify(key)}:${T}${JSON.stringify(value)}${last ? "" : ","}`;
}

function object(indent: number, key: string, entries: Array<[string, unknown]>, last = false) {
  const lines = [`${T.repeat(indent)}${JSON.stringify(key)}:${T}{`];
  entries.forEach(([k, v], i) => lines.push(member(indent + 1, k, v, i === entries.length - 1)));
  lines.push(`${T.repeat(indent)}}${last ? "" : ","}`);
  return lines.join("\n");
}

function envelope(section: string, body: string[]): string {
  return [
    "{",
    member(1, "timestamp", 1795488324),
    member(1, "pbs_version", "23.06.06"),
    member(1, "pbs_server", "vm"),
    `${T}${JSON.stringify(section)}:${T}{`,
    body.join(",\n"),
    `${T}}`,
    "}",
    "",
  ].join("\n");
}

const STATES: Array<[string, number, string]> = [
  ["R", 42, "n"],
  ["Q", 10, "n"],
  ["H", 20, "u"],
  ["R", 42, "n"],
  ["W", 30, "n"],
  ["H", 22, "s"],
];

function time(offset: number): string {
  const date = new Date(Date.UTC(2026, 10, 24, 2, 44, 29) + offset * 1000);
  return date.toUTCString().replace(
    /^(\w+), (\d+) (\w+) (\d+) (\S+) GMT$/,
    (_, wd, d, mo, y, hms) => `${wd} ${mo} ${String(Number(d)).padStart(2, " ")} ${hms} ${y}`,
  );
}

function job(n: number, invalidEscape: boolean): string {
  const [state, substate, holds] = STATES[n % STATES.length];
  const running = state === "R";
  const name = `job${n}`;
  const lines = [`${T}${T}"${n}.vm":${T}{`, member(3, "Job_Name", name)];
  lines.push(member(3, "Job_Owner", `user${n % 50}@login${n % 4}`));
  if (running) {
    lines.push(object(3, "resources_used", [
      ["cpupercent", n % 100],
      ["cput", "00:00:12"],
      ["mem", `${7000 + (n % 900)}kb`],
      ["ncpus", 2],
      ["vmem", "10380kb"],
      ["walltime", "00:00:34"],
    ]));
  }
  lines.push(
    member(3, "job_state", state),
    member(3, "queue", n % 3 === 0 ? "debug" : "workq"),
    member(3, "server", "vm"),
    member(3, "Account_Name", `acct${n % 7}`),
    member(3, "Checkpoint", "u"),
    member(3, "ctime", time(n)),
    member(3, "Error_Path", `login0:/home/user${n % 50}/${name}.e${n}`),
  );
  if (running) {
    lines.push(member(3, "exec_host", `node${n % 10624}/0*2`));
    lines.push(member(3, "exec_vnode", `(node${n % 10624}:ncpus=2)`));
  }
  lines.push(
    member(3, "Hold_Types", holds),
    member(3, "Join_Path", "n"),
    member(3, "Keep_Files", "n"),
    member(3, "Mail_Points", "a"),
    member(3, "mtime", time(n + 36)),
    member(3, "Output_Path", `login0:/home/user${n % 50}/${name}.o${n}`),
    member(3, "Priority", 0),
    member(3, "qtime", time(n)),
    member(3, "Rerunable", "True"),
    object(3, "Resource_List", [
      ["ncpus", 2],
      ["nodect", 1],
      ["place", "free"],
      ["select", "1:ncpus=2"],
      ["walltime", "00:30:00"],
    ]),
  );
  if (running) lines.push(member(3, "stime", time(n + 1)), member(3, "session_id", 10000 + n));
  lines.push(member(3, "jobdir", `/home/user${n % 50}`), member(3, "substate", substate));
  const variables: Array<[string, unknown]> = [
    ["PBS_O_HOME", `/home/user${n % 50}`],
    ["PBS_O_LANG", "C.UTF-8"],
    ["PBS_O_LOGNAME", `user${n % 50}`],
    ["PBS_O_PATH", "/opt/pbs/bin:/usr/bin:/bin"],
    ["PBS_O_SHELL", "/bin/bash"],
    ["PBS_O_INTERACTIVE_AUTH_METHOD", "resvport"],
    ["PBS_O_INTERACTIVE_ENCRYPT_METHOD", ""],
    ["PBS_O_WORKDIR", `/home/user${n % 50}/run${n}`],
    ["PBS_O_SYSTEM", "Linux"],
    ["PBS_O_QUEUE", "workq"],
    ["PBS_O_HOST", `login${n % 4}`],
  ];
  let vars = object(3, "Variable_List", variables);
  // One raw backslash before `q`: invalid JSON, as a release client would print it.
  if (invalidEscape) vars = vars.replace("C.UTF-8", "C:\\qUTF-8");
  lines.push(vars);
  lines.push(
    member(
      3,
      "comment",
      running ? "Job run at Tue Nov 24 at 02:44 on (vm:ncpus=2)" : "Not Running",
    ),
    member(3, "etime", time(n)),
    member(3, "run_count", running ? 1 : 0),
    member(3, "Submit_arguments", `-N ${name} -l select=1:ncpus=2 -l walltime=00:30:00 run.sh`),
    member(3, "project", "_pbs_project_default"),
    member(3, "Submit_Host", `login${n % 4}`, true),
    `${T}${T}}`,
  );
  return lines.join("\n");
}

/** `qstat -f -F json` with `count` jobs; `invalidEscape` puts one bad escape in the middle job. */
export function jobsDocument(count: number, invalidEscape = false): string {
  const jobs: string[] = [];
  const broken = Math.floor(count / 2);
  for (let n = 0; n < count; n++) jobs.push(job(n, invalidEscape && n === broken));
  return envelope("Jobs", jobs);
}

function node(n: number, invalidEscape: boolean): string {
  const name = `node${String(n).padStart(5, "0")}`;
  const busy = n % 3 !== 0;
  const lines = [
    `${T}${T}"${name}":${T}{`,
    member(3, "Mom", `${name}.cluster`),
    member(3, "ntype", "PBS"),
    member(3, "state", n % 97 === 0 ? "down,offline" : busy ? "job-busy" : "free"),
    member(3, "pcpus", 64),
  ];
  if (busy) lines.push(`${T}${T}${T}"jobs":${T}["${n}.vm", "${n + 20000}.vm", "${n + 40000}.vm"],`);
  if (n % 50 === 0) lines.push(member(3, "resv", "S51.vm, R44.vm"));
  lines.push(
    object(3, "resources_available", [
      ["arch", "linux"],
      ["host", name],
      ["mem", "263842752kb"],
      ["ncpus", 64],
      ["vnode", name],
    ]),
    object(3, "resources_assigned", busy ? [["ncpus", 6]] : []),
    member(3, "resv_enable", "True"),
    member(3, "sharing", "default_shared"),
    member(3, "license", "l"),
  );
  if (n % 97 === 0) {
    lines.push(member(3, "comment", invalidEscape ? "disk\\q replacement" : "disk replacement"));
  }
  lines.push(
    member(3, "last_state_change_time", 1795488842 + n),
    member(3, "last_used_time", 1795489121 + n, true),
    `${T}${T}}`,
  );
  let text = lines.join("\n");
  // member() escapes the backslash; undo that for the one deliberately broken node.
  if (invalidEscape) text = text.replace("disk\\\\q", "disk\\q");
  return text;
}

/** `pbsnodes -a -F json` with `count` nodes; `invalidEscape` breaks one comment. */
export function nodesDocument(count: number, invalidEscape = false): string {
  const nodes: string[] = [];
  for (let n = 0; n < count; n++) nodes.push(node(n, invalidEscape && n === 97 * 50));
  return envelope("nodes", nodes);
}
