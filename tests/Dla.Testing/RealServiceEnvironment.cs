using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace Dla.Testing;

/// <summary>
/// A fresh PostgreSQL database (with pgvector) and a fresh RabbitMQ virtual host for one test class,
/// created on first use and dropped afterwards, so runs never see each other's jobs or queues.
/// Tests skip with the reason when the services are absent.
/// </summary>
public sealed class RealServiceEnvironment : IAsyncDisposable
{
    private readonly string _name = $"dla_test_{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Postgres, string RabbitMq)? _created;
    private string? _adminPostgres;
    private Uri? _management;

    /// <summary>Connection strings of the class's own database and virtual host.</summary>
    public async Task<(string Postgres, string RabbitMq)> GetAsync()
    {
        var postgres = await RealServices.PostgresAsync();
        var rabbitMq = await RealServices.RabbitMqAsync();
        await _gate.WaitAsync();
        try
        {
            return _created ??= await CreateAsync(postgres, rabbitMq);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(string, string)> CreateAsync(string postgres, string rabbitMq)
    {
        _adminPostgres = postgres;
        await using (var admin = new NpgsqlConnection(postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var database = new NpgsqlConnectionStringBuilder(postgres) { Database = _name }.ConnectionString;
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", connection);
            await extension.ExecuteNonQueryAsync();
        }
        return (database, await VirtualHostAsync(new Uri(rabbitMq)) ?? rabbitMq);
    }

    /// <summary>Creates a virtual host through the management API (AMQP port + 10000, as the broker's defaults pair them); null where that is not reachable.</summary>
    private async Task<string?> VirtualHostAsync(Uri amqp)
    {
        var credentials = Uri.UnescapeDataString(amqp.UserInfo);
        _management = new UriBuilder("http", amqp.Host, amqp.Port + 10000).Uri;
        using var http = Management(credentials);
        try
        {
            using var vhost = await http.PutAsync($"api/vhosts/{_name}", null);
            var user = credentials.Split(':')[0];
            using var body = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
            using var permissions = await http.PutAsync($"api/permissions/{_name}/{user}", body);
            return vhost.IsSuccessStatusCode && permissions.IsSuccessStatusCode ? new UriBuilder(amqp) { Path = "/" + _name }.Uri.ToString() : null;
        }
        catch (HttpRequestException)
        {
            _management = null;
            return null;
        }
    }

    private HttpClient Management(string credentials)
    {
        var http = new HttpClient { BaseAddress = _management, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (_created is null || _adminPostgres is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using (var admin = new NpgsqlConnection(_adminPostgres))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        if (_management is not null)
        {
            using var http = Management(Uri.UnescapeDataString(new Uri(await RealServices.RabbitMqAsync()).UserInfo));
            using var _ = await http.DeleteAsync($"api/vhosts/{_name}");
        }
        _gate.Dispose();
    }
}
