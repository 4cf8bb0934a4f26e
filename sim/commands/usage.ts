/**
 * Usage texts the PBS clients print, as recorded in the goldens (observed
 * output) or, for commands without a capture, as those clients print them.
 * Generated once from tests/fixtures/golden; edit by hand if needed.
 */

export const USAGE: Record<string, string> = {
  qsub:
    "usage: qsub [-a date_time] [-A account_string] [-c interval]\n\t[-C directive_prefix] [-e path] [-f ] [-h ] [-I [-X]] [-j oe|eo] [-J X-Y[:Z]]\n\t[-k keep] [-l resource_list] [-m mail_options] [-M user_list]\n\t[-N jobname] [-o path] [-p priority] [-P project] [-q queue] [-r y|n]\n\t[-R o|e|oe] [-S path] [-u user_list] [-W otherattributes=value...]\n\t[-v variable_list] [-V ] [-z] [script | -- command [arg1 ...]]\n       qsub --version\n",
  qstat:
    "usage: \nqstat [-f] [-J] [-p] [-t] [-x] [-E] [-F format | -w] [-D delim] [ job_identifier... | destination... ]\nqstat [-a|-i|-r|-H|-T] [-J] [-t] [-u user] [-n] [-s] [-G|-M] [-1] [-w]\n\t[ job_identifier... | destination... ]\nqstat -Q [-f] [-F format] [-D delim] [ destination... ]\nqstat -q [-G|-M] [ destination... ]\nqstat -B [-f] [-F format] [-D delim] [ server_name... ]\nqstat --version\n",
  qdel: "usage:\n\tqdel [-W force|suppress_email=X] [-x] job_identifier...\n\tqdel --version\n",
  qhold: "usage: qhold [-h hold_list] job_identifier...\n       qhold --version\n",
  qalter:
    "usage: qalter [-a date_time] [-A account_string] [-c interval] [-e path]\n\t[-h hold_list] [-j y|n] [-k keep] [-l resource_list]\n\t[-m mail_options] [-M user_list] [-N jobname] [-o path] [-p priority]\n\t[-R o|e|oe] [-r y|n] [-S path] [-u user_list] [-W dependency_list]\n\t[-P project_name] job_identifier...\n       qalter --version\n",
  qorder: "usage: qorder job_identifier job_identifier\n       qorder --version\n",
  pbsnodes:
    "usage:\tpbsnodes [-{o|r}][-C comment][-s server] host host ...\n\tpbsnodes -l [-s server]\n\tpbsnodes [-s server] -v vnode vnode ...\n\tpbsnodes -a[v][S[j][L]][-F format][-D delim][-s server]\n\tpbsnodes -[H][S[j][L]][-F format][-D delim] host host ...\n\tpbsnodes --version\n\n",
  qmgr: "Usage: qmgr [-a] [-c command] [-e] [-n] [-z] [server...]\n       qmgr --version\n",
  pbs_rstat: "Usage:\n\tpbs_rstat [-fFBS] [reservation-id]\n\tpbs_rstat --version\n",
  pbs_rsub:
    "usage: pbs_rsub [-I seconds] [-m mail_points] [-M mail_list]\n                [-N reservation_name] [-u user_list] [-g group_list]\n                [-U auth_user_list] [-G auth_group_list] [-H auth_host_list]\n                [-R start_time] [-E end_time] [-D duration] [-q destination]\n                [-r rrule_expression] [-W otherattributes=value...]\n                -l resource_list | --hosts host1 [... hostn]\n       pbs_rsub --version\n",
  tracejob:
    "USAGE: tracejob [-a|s|l|m|v] [-w size] [-p path] [-n days] [-f filter_type] job_identifier...\n   -p : path to PBS_HOME\n   -w : number of columns of your terminal\n   -n : number of days in the past to look for job(s) [default 1]\n   -f : filter out types of log entries, multiple -f's can be specified\n        error, system, admin, job, job_usage, security, sched, debug, \n        debug2, resv, debug3, debug4, force or absolute numberic equiv\n   -z : toggle filtering excessive messages\n   -c : what message count is considered excessive\n   -a : don't use accounting log files\n   -s : don't use server log files\n   -l : don't use scheduler log files\n   -m : don't use mom log files\n   -v : verbose mode - show more error messages\n\n       tracejob --version\n   --version : display version only\n\ndefault prefix path = /var/spool/pbs\nfilter_excessive: ON\n",
  qrls: "usage: qrls [-h hold_list] job_identifier...\n       qrls --version\n",
  qsig: "usage: qsig [-s signal] job_identifier...\n       qsig --version\n",
  qmove: "usage: qmove destination job_identifier...\n       qmove --version\n",
  qselect:
    "usage: qselect [-a [op]date_time] [-A account_string] [-c [op]interval]\n\t[-h hold_list] [-H] [-J] [-l resource_list] [-N name] [-p [op]priority]\n\t[-q destination] [-r y|n] [-s states] [-t subopt[op]date_time] [-T] [-P project_name]\n\t[-x] [-u user_name]\n       qselect --version\n",
  qrerun: "usage: qrerun [-W force] job_identifier...\n       qrerun --version\n",
  qrun: "Usage: qrun [-a] [-H vnode_specification ] job_identifier_list\n       qrun --version\n",
  qmsg: "usage: qmsg [-O] [-E] msg_string job_identifier...\n       qmsg --version\n",
  // No golden capture: the text of src/cmds/pbs_ralter.c `print_usage`.
  pbs_ralter:
    "usage: pbs_ralter [-I seconds] [-m mail_points] [-M mail_list]\n                [-N reservation_name] [-R start_time] [-E end_time]\n                [-U (+/-)username[,(+/-)username]...]\n                [-G [(+/-)group[,(+/-)group]...]]\n                [-D duration]\n                [-W force]\n                resv_id\n       pbs_ralter --version\n",
  pbs_rdel: "usage:\tpbs_rdel [-q dest] resv_identifier...\n      \tpbs_rdel --version\n",
  qterm:
    "Usage: qterm [-t immediate|delay|[quick]] [-m] [-s] [-f|-i] [server ...]\n       qterm --version\n",
};
