using System.Net.Http.Headers;
using System.Text;
using Azure.Storage.Blobs;
using Dla.Testing;
using Npgsql;

namespace Dla.Integration.Tests.Hosting;

/// <summary>
/// A private slice of the real services for one test: a fresh PostgreSQL database (with pgvector),
/// a fresh RabbitMQ virtual host (so parallel tests never consume each other's messages) and a
/// fresh blob container.
/// </summary>
internal sealed record IsolatedServices(string Postgres, string RabbitMq, string BlobStorage, BlobContainerClient Container)
{
    /// <summary>A fresh slice of the shared services (scripts/services.sh, or Testcontainers, or a skip).</summary>
    public static async Task<IsolatedServices> CreateAsync(CancellationToken ct)
    {
        var rabbit = await RealServices.RabbitMqAsync();
        var management = System.Environment.GetEnvironmentVariable("DLA_RABBITMQ_MANAGEMENT_URL") ?? $"http://{new Uri(rabbit).Host}:15673";
        return await CreateAsync(new ServiceEndpoints(await RealServices.PostgresAsync(), rabbit, RealServices.BlobStorage(), management), container: null, ct);
    }

    /// <summary>A fresh database and virtual host on <paramref name="endpoints"/>; a fresh container unless <paramref name="container"/> is given.</summary>
    public static async Task<IsolatedServices> CreateAsync(ServiceEndpoints endpoints, BlobContainerClient? container, CancellationToken ct)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var postgres = await FreshDatabaseAsync(endpoints.Postgres, $"dla_it_{suffix}", ct);
        var rabbit = await FreshVirtualHostAsync(endpoints.RabbitMq, endpoints.RabbitMqManagement, $"dla-it-{suffix}", ct);
        if (container is null)
        {
            container = Containers(endpoints.BlobStorage).GetBlobContainerClient($"it-{suffix}");
            await container.CreateIfNotExistsAsync(cancellationToken: ct);
        }
        return new IsolatedServices(postgres, rabbit, endpoints.BlobStorage, container);
    }

    /// <summary>A blob service client speaking an API version Azurite accepts.</summary>
    public static BlobServiceClient Containers(string connectionString) =>
        new(connectionString, new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_11_05));

    /// <summary>The environment both executables get, as in docker-compose.yml and k8s.</summary>
    public Dictionary<string, string?> Environment(string cacheDirectory) => new()
    {
        ["ConnectionStrings__Postgres"] = Postgres,
        ["ConnectionStrings__RabbitMq"] = RabbitMq,
        ["ConnectionStrings__BlobStorage"] = BlobStorage,
        ["Database__Provider"] = "postgres",
        ["Messaging__Transport"] = "rabbitmq",
        ["Datasets__AllowedContainers__0"] = Container.Name,
        // Submissions name the golden weights by path, or a copy in the test's own container.
        ["Models__AllowedRoots__0"] = Executables.GoldenPath,
        ["Models__AllowedContainers__0"] = Container.Name,
        ["DLA_CACHE_DIR"] = cacheDirectory,
        ["Logging__LogLevel__Default"] = "Information",
    };

    private static async Task<string> FreshDatabaseAsync(string connectionString, string name, CancellationToken ct)
    {
        await using (var admin = new NpgsqlConnection(connectionString))
        {
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync(ct);
        }
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = name };
        await using (var fresh = new NpgsqlConnection(builder.ConnectionString))
        {
            await fresh.OpenAsync(ct);
            await using var vector = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", fresh);
            await vector.ExecuteNonQueryAsync(ct);
        }
        return builder.ConnectionString;
    }

    private static async Task<string> FreshVirtualHostAsync(string amqp, string management, string vhost, CancellationToken ct)
    {
        var uri = new Uri(amqp);
        var credentials = Uri.UnescapeDataString(uri.UserInfo);
        using var http = new HttpClient { BaseAddress = new Uri(management) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        (await http.PutAsync($"/api/vhosts/{vhost}", null, ct)).EnsureSuccessStatusCode();
        var user = credentials.Split(':')[0];
        using var permissions = new StringContent("""{"configure": ".*", "write": ".*", "read": ".*"}""", Encoding.UTF8, "application/json");
        (await http.PutAsync($"/api/permissions/{vhost}/{user}", permissions, ct)).EnsureSuccessStatusCode();
        return new UriBuilder(uri) { Path = "/" + vhost }.Uri.ToString();
    }
}

/// <summary>Where a set of the real services answers: connection strings and RabbitMQ's management API.</summary>
internal sealed record ServiceEndpoints(string Postgres, string RabbitMq, string BlobStorage, string RabbitMqManagement);
