using Dla.Persistence.Database;
using Dla.Scheduler;
using Microsoft.EntityFrameworkCore;

// Composition lives in SchedulerApp (shared with the tests): services, bus, API, OpenAPI, health.
var app = SchedulerApp.Build(args.Where(a => a != "--migrate-only").ToArray());
if (args.Contains("--migrate-only"))
{
    // The Kubernetes migration Job: apply the schema and exit, before any scheduler replica starts.
    await using var db = await app.Services.GetRequiredService<IDlaDbContextFactory>().CreateAsync();
    await db.Database.MigrateAsync();
    Console.WriteLine("database migrated");
    return;
}
await app.RunAsync();
