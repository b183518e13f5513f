using Azure.Storage.Blobs;
using Dla.Datasets;
using Dla.Testing;
using Microsoft.Extensions.Options;

namespace Dla.Persistence.Tests.Datasets;

/// <summary>Blob listings against Azurite (skipped with the reason when it is not running).</summary>
public sealed class DatasetListerBlobTests
{
    [Fact]
    public async Task A_small_configured_page_size_lists_everything_once_in_order()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var (service, container) = await NewContainerAsync(cancellationToken);
        var names = Enumerable.Range(0, 7).Select(i => $"p/img-{i}.png").ToList();
        foreach (var name in names)
        {
            await container.UploadBlobAsync(name, BinaryData.FromString("x"), cancellationToken);
        }
        try
        {
            var lister = new DatasetLister(Options.Create(new DatasetOptions { BlobListPageSize = 2 }), service);
            var paths = await lister.ListAsync(DatasetLocation.Parse($"azure://{container.Name}/p"), cancellationToken).ToListAsync(cancellationToken);
            Assert.Equal(names.Select(n => n[2..]), paths);
        }
        finally
        {
            await container.DeleteAsync(cancellationToken: cancellationToken);
        }
    }

    [Fact]
    public async Task Blobs_under_a_prefix_are_listed_relative_to_it_across_pages()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var (service, container) = await NewContainerAsync(cancellationToken);
        // More than one listing page (5000) plus names that share the prefix without being under it.
        var names = Enumerable.Range(0, 5100).Select(i => $"set/{i % 3}/img-{i:D5}.jpg")
            .Concat(["set/readme.txt", "settings.jpg", "other/x.jpg", "set/sub/A.JPG"]).ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (name, ct) => await container.UploadBlobAsync(name, BinaryData.FromString("x"), ct));
        try
        {
            var lister = new DatasetLister(Options.Create(new DatasetOptions()), service);

            var paths = new List<string>();
            await foreach (var path in lister.ListAsync(DatasetLocation.Parse($"azure://{container.Name}/set"), cancellationToken))
            {
                paths.Add(path);
            }

            var expected = names.Where(n => n.StartsWith("set/", StringComparison.Ordinal) && !n.EndsWith(".txt", StringComparison.Ordinal))
                .Select(n => n["set/".Length..]).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(5101, paths.Count);
            Assert.Equal(expected, paths);
        }
        finally
        {
            await container.DeleteAsync(cancellationToken: cancellationToken);
        }
    }

    [Fact]
    public void A_container_outside_the_allowed_containers_is_refused()
    {
        var service = new BlobServiceClient(RealServices.BlobStorage());
        var lister = new DatasetLister(Options.Create(new DatasetOptions { AllowedContainers = ["allowed"] }), service);

        lister.EnsureAllowed(DatasetLocation.Parse("azure://allowed/x"));
        var error = Assert.Throws<DatasetAccessException>(() => lister.ListAsync(DatasetLocation.Parse("azure://forbidden/x"), TestContext.Current.CancellationToken));
        Assert.Contains("forbidden", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(BlobServiceClient, BlobContainerClient)> NewContainerAsync(CancellationToken cancellationToken)
    {
        var service = new BlobServiceClient(RealServices.BlobStorage());
        var container = service.GetBlobContainerClient($"lister-{Guid.NewGuid():N}");
        await container.CreateAsync(cancellationToken: cancellationToken);
        return (service, container);
    }
}
