/** The public tool names (issue #4's contract), grouped as the tests exercise them. */

export const JOB_TOOLS = [
  "submit_job",
  "get_job_status",
  "list_jobs",
  "get_job_summary",
  "delete_job",
  "hold_job",
  "release_job",
  "modify_job",
  "wait_for_job",
  "get_job_output",
  "submit_batch_jobs",
  "submit_dependent_jobs",
];

export const CLUSTER_TOOLS = [
  "list_queues",
  "list_nodes",
  "get_server_info",
  "check_privileges",
  "list_reservations",
  "manage_reservation",
  "generate_job_script",
  "get_allocation",
  "list_clusters",
];

export const CONTRACT_TOOLS = [
  ...JOB_TOOLS,
  "diagnose_job",
  "analyze_history",
  "estimate_start",
  ...CLUSTER_TOOLS,
];
