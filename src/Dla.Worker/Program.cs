using Dla.Worker;

// Composition lives in WorkerApp (shared with the tests): services, bus, telemetry, health, metrics.
WorkerApp.Build(args).Run();
