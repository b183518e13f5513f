using Dla.Scheduler.Jobs;

namespace Dla.Scheduler.Api;

/// <summary>
/// The object-level check of every <c>/jobs/{id}…</c> route (read, events, cancel, retry, priority, results,
/// export, search), in one place: a tenant's key reaches only its tenant's jobs and gets 404 for any other,
/// the same answer as for an id that does not exist. Runs before the handler, so nothing of another
/// tenant's job is read, changed or streamed. A malformed id is left to the handler's 400.
/// </summary>
internal sealed class TenantScopeFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (Caller.Tenant(http.User) is { } tenant && http.Request.RouteValues.TryGetValue("id", out var id) && Guid.TryParse(id?.ToString(), out var jobId))
        {
            await http.RequestServices.GetRequiredService<JobService>().EnsureVisibleAsync(jobId, tenant, http.RequestAborted);
        }
        return await next(context);
    }
}
