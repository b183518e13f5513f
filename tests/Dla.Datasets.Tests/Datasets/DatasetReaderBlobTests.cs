using System.Text;
using Azure.Storage.Blobs;
using Dla.Datasets;
using Dla.Testing;
using Microsoft.Extensions.Options;

namespace Dla.Persistence.Tests.Datasets;

/// <summary><see cref="DatasetReader"/> against Azurite: names under the prefix, containers, limits.</summary>
public sealed class DatasetReaderBlobTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly string _container = $"dla-reader-{Guid.NewGuid():N}"[..40];
    private BlobServiceClient? _blobs;

    public async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("ConnectionStrings__BlobStorage") is not { Length: > 0 } connection)
        {
            return;
        }
        _blobs = new BlobServiceClient(connection, new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_11_05));
        var container = _blobs.GetBlobContainerClient(_container);
        await container.CreateAsync(cancellationToken: _ct);
        await container.UploadBlobAsync("photos/cat.jpg", BinaryData.FromString("cat"), _ct);
        await container.UploadBlobAsync("photos/été 猫 (1).jpg", BinaryData.FromString("unicode"), _ct);
        await container.UploadBlobAsync("photos/big.jpg", BinaryData.FromBytes(new byte[1001]), _ct);
        await container.UploadBlobAsync("secret.jpg", BinaryData.FromString("secret"), _ct);
    }

    [Fact]
    public async Task Reads_blobs_below_the_prefix()
    {
        var reader = Reader();
        Assert.Equal("cat", Encoding.UTF8.GetString(await reader.ReadAsync(Dataset(), "cat.jpg", _ct)));
        Assert.Equal("unicode", Encoding.UTF8.GetString(await reader.ReadAsync(Dataset(), "été 猫 (1).jpg", _ct)));
    }

    [Fact]
    public async Task A_missing_blob_is_a_read_failed_error()
    {
        var ex = await Assert.ThrowsAsync<DatasetReadException>(() => Reader().ReadAsync(Dataset(), "missing.jpg", _ct));
        Assert.Equal(DatasetReadException.ReadFailed, ex.Kind);
        var noContainer = await Assert.ThrowsAsync<DatasetReadException>(() => Reader().ReadAsync(DatasetLocation.Parse("azure://no-such-container/x/"), "a.jpg", _ct));
        Assert.Equal(DatasetReadException.ReadFailed, noContainer.Kind);
    }

    [Fact]
    public async Task A_blob_over_the_limit_is_a_too_large_error()
    {
        var ex = await Assert.ThrowsAsync<DatasetReadException>(() => Reader(new DatasetOptions { MaxImageBytes = 1000 }).ReadAsync(Dataset(), "big.jpg", _ct));
        Assert.Equal(DatasetReadException.TooLarge, ex.Kind);
    }

    [Fact]
    public async Task Refuses_names_that_leave_the_prefix_and_containers_not_allowed()
    {
        await Assert.ThrowsAsync<DatasetAccessException>(() => Reader().ReadAsync(Dataset(), "../secret.jpg", _ct));
        await Assert.ThrowsAsync<DatasetAccessException>(() => Reader().ReadAsync(Dataset(), "/secret.jpg", _ct));
        var restricted = Reader(new DatasetOptions { AllowedContainers = ["some-other-container"] });
        await Assert.ThrowsAsync<DatasetAccessException>(() => restricted.ReadAsync(Dataset(), "cat.jpg", _ct));
        var allowed = Reader(new DatasetOptions { AllowedContainers = [_container] });
        Assert.Equal("cat", Encoding.UTF8.GetString(await allowed.ReadAsync(Dataset(), "cat.jpg", _ct)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_blobs is not null)
        {
            await _blobs.GetBlobContainerClient(_container).DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }
    }

    private DatasetLocation Dataset() => DatasetLocation.Parse($"azure://{_container}/photos/");

    private DatasetReader Reader(DatasetOptions? options = null)
    {
        _ = RealServices.BlobStorage();
        return new DatasetReader(Options.Create(options ?? new DatasetOptions()), _blobs);
    }
}
