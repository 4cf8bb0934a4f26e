/** Pure argv builders for every PBS command the server runs. */

export { type JobIds, type PbsCommand } from "./command.ts";
export { type ResourceRequest } from "./resources.ts";
export { qsub, type QsubArgument, qsubArguments, qsubArgv, type QsubOptions } from "./qsub.ts";
export {
  qstatAllJobs,
  type QstatAllJobsOptions,
  qstatJob,
  type QstatJobOptions,
  qstatJobsEach,
  qstatJobTable,
  type QstatJobTableOptions,
  qstatQueues,
  qstatServer,
} from "./qstat.ts";
export {
  type Comparison,
  qselect,
  type QselectOptions,
  type ResourceCondition,
} from "./qselect.ts";
export {
  type HoldOptions,
  qalter,
  type QalterOptions,
  qdel,
  type QdelOptions,
  qhold,
  qmove,
  qorder,
  qrerun,
  qrls,
  qsig,
} from "./jobs.ts";
export {
  pbsnodesAll,
  type PbsnodesAllOptions,
  pbsnodesComment,
  pbsnodesDownOrOffline,
  pbsnodesOffline,
  pbsnodesReset,
  pbsnodesSummary,
  pbsnodesVnode,
} from "./nodes.ts";
export { type QmgrObject, qmgrRead, type QmgrReadOptions, type QmgrVerb } from "./qmgr.ts";
export {
  pbsRalter,
  type PbsRalterOptions,
  pbsRdel,
  pbsRstat,
  pbsRsub,
  type PbsRsubOptions,
} from "./reservations.ts";
export { tracejob, type TracejobOptions } from "./tracejob.ts";
