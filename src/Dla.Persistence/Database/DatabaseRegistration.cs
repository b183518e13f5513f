using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dla.Persistence.Database;

/// <summary>Registers the job database for the configured provider.</summary>
public static class DatabaseRegistration
{
    /// <summary>
    /// Adds <see cref="DlaDbContext"/> (resolving to the provider's context), an
    /// <see cref="IDbContextFactory{DlaDbContext}"/>-style factory, and on PostgreSQL an
    /// <see cref="NpgsqlDataSource"/> with pgvector for bulk writes.
    /// </summary>
    public static IServiceCollection AddDlaDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var provider = configuration[$"{DatabaseOptions.Section}:Provider"] ?? "postgres";
        if (provider == "sqlite")
        {
            var connection = configuration.GetConnectionString("Sqlite") ?? throw new InvalidOperationException("ConnectionStrings:Sqlite is required when Database:Provider is sqlite.");
            services.AddDbContextFactory<SqliteDlaDbContext>(o => o.UseSqlite(connection).AddInterceptors(SqliteBusyTimeout.Instance));
            services.AddScoped<DlaDbContext>(sp => sp.GetRequiredService<IDbContextFactory<SqliteDlaDbContext>>().CreateDbContext());
            services.AddSingleton<IDlaDbContextFactory, DlaDbContextFactory<SqliteDlaDbContext>>();
        }
        else
        {
            var connection = configuration.GetConnectionString("Postgres") ?? throw new InvalidOperationException("ConnectionStrings:Postgres is required when Database:Provider is postgres.");
            var builder = new NpgsqlDataSourceBuilder(PostgresDlaDbContext.WithSearchPath(connection));
            builder.UseVector();
            // Database spans only within a larger operation (a consumed message, a request, a dispatch): the
            // dispatcher's and the metrics' polling would otherwise start a trace of their own every second.
            builder.ConfigureTracing(tracing => tracing
                .ConfigureCommandFilter(_ => Activity.Current is not null)
                .ConfigureBatchFilter(_ => Activity.Current is not null)
                .ConfigureCopyOperationFilter(_ => Activity.Current is not null));
            var dataSource = builder.Build();
            services.AddSingleton(dataSource);
            services.AddDbContextFactory<PostgresDlaDbContext>(o => o.UseNpgsql(dataSource, PostgresDlaDbContext.Configure));
            services.AddScoped<DlaDbContext>(sp => sp.GetRequiredService<IDbContextFactory<PostgresDlaDbContext>>().CreateDbContext());
            services.AddSingleton<IDlaDbContextFactory, DlaDbContextFactory<PostgresDlaDbContext>>();
        }
        return services;
    }
}

/// <summary>Creates short-lived contexts for singletons and background loops, whatever the provider.</summary>
public interface IDlaDbContextFactory
{
    /// <summary>A new context; the caller disposes it.</summary>
    Task<DlaDbContext> CreateAsync(CancellationToken cancellationToken = default);
}

internal sealed class DlaDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDlaDbContextFactory
    where TContext : DlaDbContext
{
    public async Task<DlaDbContext> CreateAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}
