using System.Net;

namespace Dla.Modeling.Weights;

/// <summary>
/// Turns failed hub requests into <see cref="WeightsDownloadException"/>s whose messages say what to
/// do next. The hub names the cause of a 404 or 403 in <c>X-Error-Code</c> (RepoNotFound,
/// RevisionNotFound, EntryNotFound, GatedRepo), and answers 401 for repositories that do not exist
/// to anonymous users, so 401 is reported as "not found or private".
/// </summary>
internal static class HubErrors
{
    private const string Remedy = "Check the network, set " + HubWeightsOptions.EndpointVariable +
        " to a reachable mirror, or pass a local path to a .safetensors file instead.";

    public static WeightsDownloadException ForStatus(HttpResponseMessage response, HubWeightsReference reference, string fileName, bool sentToken)
    {
        var status = response.StatusCode;
        var code = Header(response, "X-Error-Code");
        var serverMessage = Header(response, "X-Error-Message");
        var detail = serverMessage is null ? "" : $" The server said: {serverMessage}";
        var where = $"'{reference.Repo}' at revision '{reference.Revision}'";

        var (failure, message) = (status, code) switch
        {
            (HttpStatusCode.NotFound, "RevisionNotFound") => (WeightsDownloadFailure.NotFound, $"Revision '{reference.Revision}' of repository '{reference.Repo}' was not found."),
            (HttpStatusCode.NotFound, "EntryNotFound") => (WeightsDownloadFailure.NotFound, $"Repository {where} has no file '{fileName}' (timm weights must be published as safetensors)."),
            (HttpStatusCode.NotFound, _) => (WeightsDownloadFailure.NotFound, $"Repository {where} or its file '{fileName}' was not found (HTTP 404). Check the name, e.g. 'hf:timm/dla34.in1k'."),
            (HttpStatusCode.Forbidden, "GatedRepo") => (WeightsDownloadFailure.AccessDenied, $"Repository '{reference.Repo}' is gated: accept its terms on the hub and set {HubWeightsOptions.TokenVariable} to a token of that account."),
            (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, _) when sentToken => (WeightsDownloadFailure.AccessDenied, $"Access to repository '{reference.Repo}' was refused (HTTP {(int)status}): the token in {HubWeightsOptions.TokenVariable} has no access to it, or it does not exist."),
            (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, _) => (WeightsDownloadFailure.AccessDenied, $"Repository '{reference.Repo}' was not found or is private (HTTP {(int)status}). Check the name, or set {HubWeightsOptions.TokenVariable} to a token with access."),
            _ => (WeightsDownloadFailure.HttpError, $"Downloading {reference} failed: HTTP {(int)status} {response.ReasonPhrase} from {response.RequestMessage?.RequestUri}."),
        };
        return new WeightsDownloadException(failure, message + detail, status);
    }

    public static WeightsDownloadException Unreachable(Uri uri, HubWeightsReference reference, HttpRequestException ex) =>
        new(WeightsDownloadFailure.Unreachable,
            $"Cannot reach {uri.GetLeftPart(UriPartial.Authority)} to download {reference} ({ex.Message.TrimEnd('.')}). {Remedy}",
            inner: ex);

    public static WeightsDownloadException Interrupted(HubWeightsReference reference, long received, Exception ex) =>
        new(WeightsDownloadFailure.Interrupted,
            $"The download of {reference} broke off after {received} bytes ({ex.Message.TrimEnd('.')}). Run again to retry; nothing was cached.",
            inner: ex);

    public static WeightsDownloadException Timeout(Uri uri, HubWeightsReference reference, TimeSpan readTimeout, Exception ex) =>
        new(WeightsDownloadFailure.Timeout,
            $"Timed out downloading {reference}: {uri.GetLeftPart(UriPartial.Authority)} sent nothing for {readTimeout.TotalSeconds:0.###} s. Retry, raise {nameof(HubWeightsOptions)}.{nameof(HubWeightsOptions.ReadTimeout)}, or use a closer mirror via {HubWeightsOptions.EndpointVariable}.",
            inner: ex);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
