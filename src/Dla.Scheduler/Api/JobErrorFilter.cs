using Dla.Scheduler.Jobs;

namespace Dla.Scheduler.Api;

/// <summary>
/// Turns the job operations' typed exceptions into problem details: invalid input 400 (with the
/// fields), unknown job or image 404, an operation the job's state does not allow 409.
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
        catch (JobStateException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "Not possible in the job's state.");
        }
    }
}
