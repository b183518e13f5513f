using Dla.Persistence.Database;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dla.Scheduler.Api;

/// <summary>Ready only while the job database answers.</summary>
internal sealed class DatabaseHealthCheck(IDlaDbContextFactory databases) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await databases.CreateAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The job database does not answer.");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The job database does not answer.", ex);
        }
    }
}
