using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dla.ServiceDefaults.Health;

/// <summary>
/// Writes a health report as JSON, so an operator (or <c>kubectl describe</c>'s probe message) sees why a
/// service is not ready: <c>{"status": "Unhealthy", "checks": {"model": {"status": ..., "description": ..., "data": {...}}}}</c>.
/// The status code stays the framework's: 200 when healthy or degraded, 503 otherwise.
/// </summary>
public static class HealthResponse
{
    /// <summary>A <c>HealthCheckOptions.ResponseWriter</c>.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                data = e.Value.Data.Count > 0 ? e.Value.Data : null,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}
