using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dla.Datasets;

/// <summary>Registers dataset access: limits, the blob account (when configured), the lister and blob model files.</summary>
public static class DatasetRegistration
{
    /// <summary>
    /// Binds <see cref="DatasetOptions"/> (section <c>Datasets</c>), adds a <see cref="BlobServiceClient"/>
    /// from <c>ConnectionStrings:BlobStorage</c> when it is set, and <see cref="DatasetLister"/>.
    /// </summary>
    public static IServiceCollection AddDlaDatasets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatasetOptions>().BindConfiguration(DatasetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (configuration.GetConnectionString("BlobStorage") is { Length: > 0 } blobStorage)
        {
            services.TryAddSingleton(new BlobServiceClient(blobStorage));
        }
        services.TryAddSingleton<DatasetLister>();
        return services.AddModelBlobStore();
    }

    /// <summary>
    /// Adds <see cref="ModelFiles.ModelBlobStore"/> on the blob account registered before (none: blob model references
    /// fail with a clear error); the scheduler and the workers read model files with the same account as datasets.
    /// </summary>
    public static IServiceCollection AddModelBlobStore(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ModelFiles.ModelBlobStore(sp.GetService<BlobServiceClient>()));
        return services;
    }
}
