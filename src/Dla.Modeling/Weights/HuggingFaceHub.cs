using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Dla.Modeling.Weights;

/// <summary>
/// Downloads timm weights (<c>model.safetensors</c>) from the Hugging Face Hub or a mirror into a
/// local cache, e.g. <c>hf:timm/dla34.in1k</c> from
/// <c>{endpoint}/timm/dla34.in1k/resolve/main/model.safetensors</c>.
/// </summary>
/// <remarks>
/// <para>A cached file whose SHA-256 matches its sidecar is returned without any network access,
/// so a branch revision such as <c>main</c> stays at what was first downloaded; pin a commit or
/// delete the cache directory to pick up a newer upload.</para>
/// <para>A download streams into a temp file beside its final place while hashing. It is moved
/// into place only after the SHA-256 matches the one the hub announces for LFS files
/// (<c>X-Linked-ETag</c> or <c>ETag</c>) and the safetensors header validates, so concurrent or
/// interrupted downloads never leave a partial file under the final name.</para>
/// <para>Redirects are followed here rather than by the handler, because the hub announces the
/// checksum on the redirect to its CDN; the token is sent to the endpoint's host only. An injected
/// <see cref="HttpClient"/> should therefore be built with <c>AllowAutoRedirect = false</c>.</para>
/// </remarks>
public sealed class HuggingFaceHub : IDisposable
{
    /// <summary>The file timm publishes its weights as.</summary>
    public const string FileName = "model.safetensors";

    /// <summary>The file timm publishes a model's configuration (architecture, classes, label names) as.</summary>
    public const string ConfigFileName = "config.json";

    private const int MaxRedirects = 10;
    private const int BufferBytes = 1 << 17;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string? _token;
    private readonly TimeSpan _readTimeout;

    /// <summary>Creates a client; settings not given in <paramref name="options"/> come from the environment.</summary>
    /// <param name="options">Endpoint, cache directory, token and timeouts; null for all defaults.</param>
    /// <param name="httpClient">A client to use (not disposed here); null to own one that does not follow redirects.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http(s) URL.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is not positive.</exception>
    public HuggingFaceHub(HubWeightsOptions? options = null, HttpClient? httpClient = null)
    {
        options ??= new HubWeightsOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ReadTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero, nameof(options));
        Endpoint = ResolveEndpoint(options.Endpoint);
        CacheDirectory = Path.GetFullPath(options.CacheDirectory ?? HubCache.DefaultRoot());
        _token = options.Token ?? (Environment.GetEnvironmentVariable(HubWeightsOptions.TokenVariable) is { Length: > 0 } token ? token : null);
        _readTimeout = options.ReadTimeout;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.ConnectTimeout,
        })
        {
            // Stalls are bounded per read by ReadTimeout; a whole large download may take longer.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The hub (or mirror) files are downloaded from.</summary>
    public Uri Endpoint { get; }

    /// <summary>The cache root; files live under <c>hub/&lt;owner&gt;--&lt;name&gt;/&lt;revision&gt;/</c> in it.</summary>
    public string CacheDirectory { get; }

    /// <summary>Where the weights of a reference are (or will be) cached.</summary>
    public string GetCachePath(HubWeightsReference reference) => HubCache.PathFor(CacheDirectory, reference, FileName);

    /// <summary>Returns the local path of a repository's <c>model.safetensors</c>, downloading it if it is not cached.</summary>
    /// <param name="repo">The repository id, e.g. <c>timm/dla34.in1k</c>.</param>
    /// <param name="revision">Branch, tag or commit; null for <c>main</c>.</param>
    /// <param name="cancellationToken">Cancels the download; the temp file is removed.</param>
    /// <exception cref="ArgumentException">The repository id or revision is malformed.</exception>
    /// <exception cref="WeightsDownloadException">The download failed; the message says why and what to do.</exception>
    public Task<string> DownloadAsync(string repo, string? revision, CancellationToken cancellationToken = default) =>
        DownloadAsync(new HubWeightsReference(repo, revision), null, cancellationToken);

    /// <summary>Returns the local path of a reference's <c>model.safetensors</c>, downloading it if it is not cached.</summary>
    /// <exception cref="WeightsDownloadException">The download failed; the message says why and what to do.</exception>
    public Task<string> DownloadAsync(HubWeightsReference reference, CancellationToken cancellationToken = default) =>
        DownloadAsync(reference, null, cancellationToken);

    /// <summary>
    /// Returns the local path of a reference's <c>model.safetensors</c>, downloading it if it is not
    /// cached and reporting progress after each chunk.
    /// </summary>
    /// <exception cref="WeightsDownloadException">The download failed; the message says why and what to do.</exception>
    public async Task<string> DownloadAsync(HubWeightsReference reference, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var path = GetCachePath(reference);
        if (await HubCache.TryReuseAsync(path, cancellationToken))
        {
            return path;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tempPath = HubCache.TempPathFor(path);
        try
        {
            var sha256 = await DownloadToAsync(reference, tempPath, progress, cancellationToken);
            HubCache.Commit(tempPath, path, sha256);
            return path;
        }
        finally
        {
            HubCache.TryDelete(tempPath);
            HubCache.TryDelete(tempPath + ".sha256");
        }
    }

    /// <summary>
    /// The class names timm published with a repository (<c>label_names</c> in its <c>config.json</c>, written by
    /// timm's <c>push_to_hub</c> for fine-tuned models), or null when the repository has no config.json or the
    /// config has none. Any other failure throws, so a transient error never silently falls back to other names.
    /// </summary>
    /// <exception cref="WeightsDownloadException">The config could not be fetched or is not JSON.</exception>
    public async Task<IReadOnlyList<string>?> ReadLabelNamesAsync(HubWeightsReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_readTimeout);
        var (response, _) = await SendAsync(reference, ConfigFileName, stall.Token, cancellationToken);
        using (response)
        {
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw HubErrors.ForStatus(response, reference, ConfigFileName, _token is not null);
            }
            try
            {
                using var config = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(stall.Token), cancellationToken: stall.Token);
                return config.RootElement.ValueKind == JsonValueKind.Object
                    && config.RootElement.TryGetProperty("label_names", out var names) && names.ValueKind == JsonValueKind.Array
                    && names.EnumerateArray().All(n => n.ValueKind == JsonValueKind.String)
                    ? names.EnumerateArray().Select(n => n.GetString()!).ToList()
                    : null;
            }
            catch (JsonException ex)
            {
                throw new WeightsDownloadException(WeightsDownloadFailure.InvalidFile, $"The {ConfigFileName} of {reference} is not JSON: {ex.Message}", inner: ex);
            }
        }
    }

    /// <summary>Releases the HttpClient if this instance created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<string> DownloadToAsync(HubWeightsReference reference, string tempPath, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_readTimeout);
        var (response, announced) = await SendAsync(reference, FileName, stall.Token, cancellationToken);
        string actual;
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw HubErrors.ForStatus(response, reference, FileName, _token is not null);
            }
            actual = await CopyAsync(response, tempPath, reference, stall, progress, cancellationToken);
        }
        if (announced is not null && announced != actual)
        {
            throw new WeightsDownloadException(WeightsDownloadFailure.ChecksumMismatch,
                $"The download of {reference} is corrupt: its SHA-256 is {actual} but the server announced {announced}. It was discarded; run again to retry.");
        }
        try
        {
            await SafeTensorsHeaderCheck.ValidateAsync(tempPath, $"{reference} ({FileName})", cancellationToken);
        }
        catch (WeightsFormatException ex)
        {
            throw new WeightsDownloadException(WeightsDownloadFailure.InvalidFile, $"The file downloaded for {reference} was discarded: {ex.Message}", inner: ex);
        }
        return actual;
    }

    /// <summary>GETs the file, following redirects, and keeps the first SHA-256 announced on the way.</summary>
    private async Task<(HttpResponseMessage Response, string? Sha256)> SendAsync(HubWeightsReference reference, string fileName, CancellationToken stallToken, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{Endpoint.AbsoluteUri.TrimEnd('/')}/{reference.Repo}/resolve/{Uri.EscapeDataString(reference.Revision)}/{fileName}");
        string? announced = null;
        for (var hop = 0; ; hop++)
        {
            HttpResponseMessage response;
            using (var request = new HttpRequestMessage(HttpMethod.Get, uri))
            {
                if (_token is not null && Uri.Compare(uri, Endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                }
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stallToken);
                }
                catch (HttpRequestException ex)
                {
                    throw HubErrors.Unreachable(uri, reference, ex);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw HubErrors.Timeout(uri, reference, _readTimeout, ex);
                }
            }
            announced ??= HubChecksums.Announced(response);
            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location)
            {
                return (response, announced);
            }
            response.Dispose();
            if (hop == MaxRedirects)
            {
                throw new WeightsDownloadException(WeightsDownloadFailure.HttpError, $"Downloading {reference} failed: more than {MaxRedirects} redirects, the last from {uri}.");
            }
            uri = new Uri(uri, location);
        }
    }

    /// <summary>Streams the body into the temp file, hashing as it goes; returns the lowercase SHA-256.</summary>
    private async Task<string> CopyAsync(HttpResponseMessage response, string tempPath, HubWeightsReference reference, CancellationTokenSource stall, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var total = response.Content.Headers.ContentLength;
        var uri = response.RequestMessage?.RequestUri ?? Endpoint;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        long received = 0;
        try
        {
            await using var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferBytes, FileOptions.Asynchronous);
            await using var body = await response.Content.ReadAsStreamAsync(stall.Token);
            while (true)
            {
                stall.CancelAfter(_readTimeout);
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, stall.Token);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    throw HubErrors.Interrupted(reference, received, ex);
                }
                if (read == 0)
                {
                    break;
                }
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                received += read;
                progress?.Report(new HubDownloadProgress(received, total));
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw HubErrors.Timeout(uri, reference, _readTimeout, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    // huggingface_hub strips trailing slashes from HF_ENDPOINT and treats an empty value as unset.
    private static Uri ResolveEndpoint(string? configured)
    {
        var environment = Environment.GetEnvironmentVariable(HubWeightsOptions.EndpointVariable);
        var (value, source) = configured is not null
            ? (configured, $"{nameof(HubWeightsOptions)}.{nameof(HubWeightsOptions.Endpoint)}")
            : !string.IsNullOrEmpty(environment) ? (environment, $"the {HubWeightsOptions.EndpointVariable} environment variable") : (HubWeightsOptions.DefaultEndpoint, "default");
        if (!Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The hub endpoint '{value}' from {source} is not an absolute http(s) URL such as '{HubWeightsOptions.DefaultEndpoint}'.", nameof(configured));
        }
        return uri;
    }
}
