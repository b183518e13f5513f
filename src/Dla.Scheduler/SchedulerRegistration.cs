using Dla.Modeling.Models;
using Dla.Modeling.Weights;
using Dla.Persistence.Database;
using Dla.Datasets;
using Dla.Messaging;
using Dla.Scheduler.Api;
using Dla.Scheduler.Completion;
using Dla.Scheduler.Database;
using Dla.Scheduler.Dispatch;
using Dla.Scheduler.Jobs;
using Dla.Scheduler.Deletion;
using Dla.Scheduler.Leadership;
using Dla.Scheduler.Planning;
using Dla.Scheduler.Progress;
using Dla.Scheduler.Search;
using Dla.Scheduler.Telemetry;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dla.Scheduler;

/// <summary>Composition of the scheduler, one feature at a time; the embedded runner composes the same.</summary>
public static class SchedulerRegistration
{
    /// <summary>
    /// Adds the database (<c>AddDlaDatabase</c>, migrated at start-up when configured), dataset access
    /// (blob account from <c>ConnectionStrings:BlobStorage</c> when set), jobs, planning, dispatch,
    /// completion, progress, search, metrics and the API's services, with their options validated at start-up.
    /// The bus is the caller's: <c>AddMassTransit(x =&gt; { x.AddDlaSchedulerConsumers(); x.UsingDlaTransport(configuration); })</c>.
    /// </summary>
    public static IServiceCollection AddDlaScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDlaDatabase(configuration);
        // First hosted service: the schema exists before anything else starts.
        services.AddHostedService<DatabaseMigrator>();
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddDlaDatasets(configuration);
        services.TryAddSingleton(TimeProvider.System);
        return services.AddJobs().AddLeadership().AddPlanning().AddDispatch().AddCompletion().AddDeletion().AddSearch().AddSchedulerMetrics().AddApi();
    }

    /// <summary>Registers the scheduler's consumers (with their definitions): batch completions and batch faults.</summary>
    public static void AddDlaSchedulerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ImageBatchProcessedConsumer, ImageBatchProcessedConsumerDefinition>();
        bus.AddConsumer<ProcessImageBatchFaultConsumer, ProcessImageBatchFaultConsumerDefinition>();
    }

    private static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddOptions<ModelSourceOptions>().BindConfiguration(ModelSourceOptions.Section).ValidateOnStart();
        return services.AddSingleton<ModelReferenceCheck>().AddSingleton<ModelPinning>().AddSingleton<JobLabels>().AddSingleton<JobRequestValidator>().AddSingleton<ProgressReader>().AddScoped<JobService>();
    }

    /// <summary>Replicas elect one leader to plan and dispatch (<see cref="SchedulerLeadership"/>).</summary>
    private static IServiceCollection AddLeadership(this IServiceCollection services)
    {
        services.AddSingleton<SchedulerLeadership>();
        return services.AddHostedService(sp => sp.GetRequiredService<SchedulerLeadership>());
    }

    private static IServiceCollection AddPlanning(this IServiceCollection services)
    {
        services.AddOptions<PlanningOptions>().BindConfiguration(PlanningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<JobPlanning>();
        services.AddSingleton<Planner>();
        return services.AddHostedService(sp => sp.GetRequiredService<Planner>());
    }

    private static IServiceCollection AddDispatch(this IServiceCollection services)
    {
        services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<FairShare>();
        services.AddSingleton<BatchDispatch>();
        services.AddSingleton<DispatchSignal>();
        return services.AddHostedService<Dispatcher>();
    }

    private static IServiceCollection AddCompletion(this IServiceCollection services) => services.AddScoped<JobCompletion>();

    /// <summary>Deleted and expired jobs are purged by the leader (<see cref="JobPurger"/>).</summary>
    private static IServiceCollection AddDeletion(this IServiceCollection services)
    {
        services.AddOptions<DeletionOptions>().BindConfiguration(DeletionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services.AddHostedService<JobPurger>();
    }

    private static IServiceCollection AddSchedulerMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<SchedulerMetrics>();
        return services.AddHostedService<SchedulerGaugeRefresh>();
    }

    private static IServiceCollection AddSearch(this IServiceCollection services)
    {
        services.AddSingleton<SearchIndexBuilder>();
        services.AddHostedService(sp => sp.GetRequiredService<SearchIndexBuilder>());
        // The hub client and the graph cache are created only when an uploaded image is first searched.
        services.TryAddSingleton(_ => new HuggingFaceHub());
        services.TryAddSingleton(sp => new ModelRepository(sp.GetRequiredService<HuggingFaceHub>()));
        services.AddSingleton<QueryEmbedder>();
        return services.AddSingleton<SimilaritySearch>();
    }
}
