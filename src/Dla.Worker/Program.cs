using Dla.Persistence.Messaging;
using Dla.Worker;
using MassTransit;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddDlaWorker(builder.Configuration);
builder.Services.AddMassTransit(bus =>
{
    bus.AddDlaWorkerConsumers();
    bus.UsingDlaTransport(builder.Configuration);
});
builder.Services.AddHealthChecks();

var app = builder.Build();

// Live: the process answers. Ready: the bus is connected (MassTransit's checks carry the "ready" tag).
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });

app.Run();
