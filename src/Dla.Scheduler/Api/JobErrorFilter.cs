using Dla.Scheduler.Jobs;

namespace Dla.Scheduler.Api;

/// <summary>
/// Turns the job operations' typed exceptions into problem details: invalid input 400 (with the
/// fields), unknown job or image 404, a tenant over its running-jobs limit 429, an operation the job's state does not allow 409.
/// </summary>
internal sealed class JobErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (JobValidationException ex)
        {
            return TypedResults.ValidationProblem(ex.Errors.ToDictionary(), title: "The request is invalid.");
        }
        catch (JobNotFoundException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "No such job.");
        }
        catch (ImageNotFoundException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "No such image.");
        }
        catch (TenantQuotaException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many running jobs.",
                extensions: new Dictionary<string, object?> { ["limit"] = ex.Limit, ["running"] = ex.Running });
        }
        catch (JobStateException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "Not possible in the job's state.");
        }
    }
}
