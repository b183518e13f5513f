using Dla.Scheduler;

// Composition lives in SchedulerApp (shared with the tests): services, bus, API, OpenAPI, health.
await SchedulerApp.Build(args).RunAsync();
