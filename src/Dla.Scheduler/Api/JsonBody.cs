using System.Text.Json;
using Dla.Scheduler.Jobs;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Api;

/// <summary>
/// Reads a JSON body with the API's options, reporting malformed JSON, wrong types and unknown fields
/// as a 400 with the parser's message (minimal APIs' own binding would answer with an empty 400).
/// </summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        if (!request.HasJsonContentType())
        {
            throw Invalid("Send a JSON body (Content-Type: application/json).");
        }
        try
        {
            return await request.ReadFromJsonAsync<T>(options, cancellationToken) ?? throw Invalid("The body is empty or null.");
        }
        catch (JsonException ex)
        {
            throw Invalid($"Malformed JSON: {ex.Message}");
        }
    }

    private static JobValidationException Invalid(string message) => new(new Dictionary<string, string[]> { ["body"] = [message] });
}
