/**
 * An error that fails the whole task instead of one agent's decision: the task's answers could
 * not be trusted (e.g. the budgets' state in Redis is gone, so nothing may be sent). Its own
 * module, so the run's side of the budgets can name it without importing the task runner and
 * with it the openai SDK.
 */
export class TaskAbort extends Error {}
