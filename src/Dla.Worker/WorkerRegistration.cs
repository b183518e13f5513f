using Azure.Storage.Blobs;
using Dla.Modeling.Models;
using Dla.Modeling.Prediction;
using Dla.Modeling.Weights;
using Dla.Persistence.Database;
using Dla.Datasets;
using Dla.Messaging;
using Dla.Persistence.Results;
using Dla.Worker.Batches;
using Dla.Worker.Cancellation;
using Dla.Worker.Hosting;
using Dla.Worker.Inference;
using Dla.Worker.Telemetry;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dla.Worker;

/// <summary>Registers the worker: its options, collaborators and consumers.</summary>
public static class WorkerRegistration
{
    /// <summary>
    /// Adds everything the worker's consumers need: <see cref="WorkerOptions"/>, <see cref="DatasetOptions"/>
    /// and <see cref="MessagingOptions"/> (validated at start), the job database and its result writer,
    /// <see cref="DatasetReader"/> (with a <see cref="BlobServiceClient"/> when <c>ConnectionStrings:BlobStorage</c>
    /// is set), <see cref="ModelSessions"/> with the <see cref="ModelPreload"/> of <c>Worker:PreloadModel</c> and
    /// its readiness check (tag <c>ready</c>), the <see cref="DecodeThreads"/> of <c>Worker:DecodeParallelism</c>, <see cref="WorkerMetrics"/>, <see cref="JobCancellations"/> and the
    /// shutdown timeouts. The bus is added separately, so a host can put other consumers on the same bus.
    /// </summary>
    public static IServiceCollection AddDlaWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddDlaDatabase(configuration);
        services.AddDlaResultWriter(configuration);
        services.AddDatasetReading(configuration);
        services.TryAddSingleton(_ => new HuggingFaceHub());
        services.TryAddSingleton(sp => new ModelRepository(sp.GetRequiredService<HuggingFaceHub>()));
        services.AddSingleton<ModelSessions>();
        services.AddSingleton<ModelPreload>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelPreload>());
        services.AddHealthChecks().AddCheck<ModelReadinessCheck>("model", tags: [WorkerApp.ReadyTag]);
        services.AddMetrics();
        services.AddSingleton<WorkerMetrics>();
        services.AddSingleton<JobCancellations>();
        services.AddSingleton<BatchLeases>();
        // One set of decode threads for every batch in flight: the cores are the process's, not a batch's.
        services.AddSingleton(sp => new DecodeThreads(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.DecodeParallelism));
        services.AddGracefulShutdown();
        return services;
    }

    /// <summary>
    /// Adds the worker's consumers with their definitions: <see cref="ProcessImageBatchConsumer"/> and
    /// <see cref="JobCancellationRequestedConsumer"/>. Call inside <c>AddMassTransit</c> (or the test harness).
    /// </summary>
    public static void AddDlaWorkerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ProcessImageBatchConsumer, ProcessImageBatchConsumerDefinition>();
        bus.AddConsumer<JobCancellationRequestedConsumer, JobCancellationRequestedConsumerDefinition>();
    }

    private static void AddDatasetReading(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatasetOptions>().BindConfiguration(DatasetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (configuration.GetConnectionString("BlobStorage") is { Length: > 0 } blobStorage)
        {
            services.AddSingleton(_ => new BlobServiceClient(blobStorage, new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_11_05)
            {
                // The reader's own short retries; what still fails propagates and the batch is retried.
                Retry = { MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(5), NetworkTimeout = TimeSpan.FromSeconds(30) },
            }));
        }
        services.AddSingleton<DatasetReader>();
        // Model files in blob storage: the same account and credential as the datasets.
        services.AddModelBlobStore();
        services.AddSingleton<PinnedModelFiles>();
        services.AddSingleton<JobClassNames>();
    }
}
