using MassTransit;
using Microsoft.Extensions.Options;

namespace Dla.Worker.Hosting;

/// <summary>
/// On SIGTERM the host stops the bus: no new messages are taken and the in-flight batch gets most of
/// <see cref="WorkerOptions.ShutdownTimeoutSeconds"/> to finish. After that its token is cancelled,
/// nothing is acknowledged, and the broker redelivers the batch to another worker.
/// </summary>
internal static class GracefulShutdown
{
    /// <summary>Seconds kept back for cancelling the batch and closing the broker connection.</summary>
    private const int Margin = 5;

    public static void AddGracefulShutdown(this IServiceCollection services)
    {
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(worker.Value.ShutdownTimeoutSeconds));
        services.AddOptions<MassTransitHostOptions>().Configure<IOptions<WorkerOptions>>((bus, worker) =>
        {
            var seconds = worker.Value.ShutdownTimeoutSeconds;
            bus.ConsumerStopTimeout = TimeSpan.FromSeconds(Math.Max(1, seconds - 2 * Margin));
            bus.StopTimeout = TimeSpan.FromSeconds(Math.Max(1, seconds - Margin));
        });
    }
}
