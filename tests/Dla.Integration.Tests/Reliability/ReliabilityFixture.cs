using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Reliability;

/// <summary>
/// Shared by the fault scenarios: the private services they may break, the dataset in their Azurite,
/// and a model cache. The scenarios run one after another (one collection): each stresses the
/// machine, and several restart the shared private broker or database.
/// </summary>
public sealed class ReliabilityFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-reliability-");
    private PrivateServices? _services;
    private FaultDataset? _dataset;
    private string? _unavailable;

    internal PrivateServices Services => _services!;

    internal FaultDataset Dataset => _dataset!;

    internal string CacheDirectory => Path.Combine(_work.FullName, "app-cache");

    /// <summary>Skips the calling scenario with the reason when the fixture could not be set up here.</summary>
    internal void Require()
    {
        if (_unavailable is not null)
        {
            Assert.Skip(_unavailable);
        }
    }

    public async ValueTask InitializeAsync()
    {
        var golden = Path.GetFullPath(Path.Combine(Executables.RepositoryRoot, "..", "shared", "golden"));
        _unavailable = PrivateServices.Unavailable() ?? (Directory.Exists(golden) ? null : $"Golden reference data is absent ({golden}).");
        if (_unavailable is not null)
        {
            return;
        }
        var ct = TestContext.Current.CancellationToken;
        _services = await PrivateServices.StartAsync(ct);
        _dataset = await FaultDataset.CreateAsync(golden, IsolatedServices.Containers(_services.Endpoints.BlobStorage), _work.FullName, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            // Frees the memory and cores of the private copies for whatever runs next.
            await _services.StopAsync(CancellationToken.None);
        }
        _work.Delete(recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<ReliabilityFixture>
{
    public const string Name = "Reliability";
}
