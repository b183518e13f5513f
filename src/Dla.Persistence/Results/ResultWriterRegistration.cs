using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Persistence.Results;

/// <summary>Registers the <see cref="IResultWriter"/> of the configured database provider.</summary>
public static class ResultWriterRegistration
{
    /// <summary>
    /// Adds <see cref="PostgresResultWriter"/> or <see cref="SqliteResultWriter"/> as a singleton,
    /// chosen by <c>Database:Provider</c> (default <c>postgres</c>). Needs <c>AddDlaDatabase</c>,
    /// which registers the data source or context factory the writer uses.
    /// </summary>
    public static IServiceCollection AddDlaResultWriter(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration["Database:Provider"] == "sqlite")
        {
            services.AddSingleton<IResultWriter, SqliteResultWriter>();
        }
        else
        {
            services.AddSingleton<IResultWriter, PostgresResultWriter>();
        }
        return services;
    }
}
