using System.Text.Json;
using System.Text.Json.Serialization;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Export;
using Dla.Scheduler.Tests.Hosting;
using Parquet;
using Parquet.Serialization;

namespace Dla.Scheduler.Tests;

public sealed class ExportTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 25);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task Exports_in_all_three_formats_parse_back_with_every_image()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10, top_k = 2 });
        foreach (var batch in await host.AllBatchesReceivedAsync(jobId, 3))
        {
            await host.Worker.ProcessAsync(batch, new Dictionary<long, string> { [7] = "unreadable", [21] = "too_large" }, id => [id, id + 0.5f, -1]);
        }
        await host.JobReachesAsync(jobId, JobState.Succeeded);
        var paths = _dataset.ListingOrder;

        var jsonl = (await host.Http.GetStringAsync($"/jobs/{jobId}/export?format=jsonl", cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(25, jsonl.Length);
        using (var line = JsonDocument.Parse(jsonl[3]))
        {
            Assert.Equal(paths[3], line.RootElement.GetProperty("path").GetString());
            Assert.Equal(3, line.RootElement.GetProperty("top_k")[0].GetProperty("index").GetInt32());
            Assert.Equal("other, with comma", line.RootElement.GetProperty("top_k")[1].GetProperty("label").GetString());
            Assert.Equal([3f, 3.5f, -1f], line.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()));
        }
        using (var line = JsonDocument.Parse(jsonl[7]))
        {
            Assert.Equal("unreadable", line.RootElement.GetProperty("error").GetProperty("kind").GetString());
            Assert.False(line.RootElement.TryGetProperty("top_k", out _));
        }

        var csv = (await host.Http.GetStringAsync($"/jobs/{jobId}/export?format=csv", cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("image,index_0,index_1,label_0,label_1,prob_0,prob_1,embedding,error", csv[0]);
        Assert.Equal(26, csv.Length);
        Assert.Equal($"{paths[3]},3,4,class 3,\"other, with comma\",0.75,0.25,3 3.5 -1,", csv[4]);
        Assert.Equal($"{paths[21]},,,,,,,,too_large: simulated too_large", csv[22]);

        using var parquetResponse = await host.Http.GetAsync($"/jobs/{jobId}/export?format=parquet", cancellationToken);
        Assert.Equal("dla34", parquetResponse.Headers.GetValues("Dla-Model").Single());
        Assert.StartsWith("1.0.0", parquetResponse.Headers.GetValues("Dla-Version").Single(), StringComparison.Ordinal);
        await using var parquet = new MemoryStream(await parquetResponse.Content.ReadAsByteArrayAsync(cancellationToken));
        await using (var metadata = await ParquetReader.CreateAsync(parquet, cancellationToken: cancellationToken))
        {
            Assert.Equal((jobId.ToString(), "dla34", "default"), (metadata.CustomMetadata["dla.job_id"], metadata.CustomMetadata["dla.model"], metadata.CustomMetadata["dla.weights"]));
            Assert.StartsWith("1.0.0", metadata.CustomMetadata["dla.version"], StringComparison.Ordinal);
        }
        parquet.Position = 0;
        var rows = (await ParquetSerializer.DeserializeAsync<ParquetRow>(parquet, cancellationToken: cancellationToken)).Data;
        Assert.Equal(25, rows.Count);
        Assert.Equal(paths, rows.Select(r => r.Path));
        Assert.Equal([3f, 3.5f, -1f], rows[3].Embedding!);
        Assert.Equal([3, 4], rows[3].TopKIndex!);
        Assert.Equal(["class 3", "other, with comma"], rows[3].TopKLabel!);
        Assert.Equal([0.75f, 0.25f], rows[3].TopKProbability!);
        Assert.Null(rows[3].ErrorKind);
        Assert.Equal("unreadable", rows[7].ErrorKind);
        Assert.Empty(rows[7].Embedding ?? []);
    }

    [Fact]
    public async Task The_parquet_writer_streams_many_row_groups_to_a_non_seekable_stream()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var count = ParquetExportWriter.RowGroupSize * 2 + 17;
        var rows = Enumerable.Range(0, count).Select(i => i % 100 == 0
            ? new ExportRow(i, $"p/{i}.jpg", null, null, new ExportError("timeout", "slow"))
            : new ExportRow(i, $"p/{i}.jpg", [new ExportClass(i % 1000, "l", 0.5f)], Enumerable.Range(0, 64).Select(v => (float)(i + v)).ToArray(), null));
        var sink = new MemoryStream();

        await new ParquetExportWriter().WriteAsync(rows.ToAsyncEnumerable(), new AppendOnlyStream(sink), cancellationToken);

        sink.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(sink, cancellationToken: cancellationToken);
        Assert.Equal(3, reader.RowGroupCount);
        sink.Position = 0;
        var back = (await ParquetSerializer.DeserializeAsync<ParquetRow>(sink, cancellationToken: cancellationToken)).Data;
        Assert.Equal(count, back.Count);
        Assert.Equal(Enumerable.Range(0, 64).Select(v => (float)(8193 + v)), back[8193].Embedding);
        Assert.Equal("timeout", back[8200].ErrorKind);
    }

    public sealed class ParquetRow
    {
        [JsonPropertyName("image_id")]
        public long ImageId { get; set; }

        [JsonPropertyName("path")]
        public string Path { get; set; } = "";

        [JsonPropertyName("top_k_index")]
        public int[]? TopKIndex { get; set; }

        [JsonPropertyName("top_k_label")]
        public string[]? TopKLabel { get; set; }

        [JsonPropertyName("top_k_probability")]
        public float[]? TopKProbability { get; set; }

        [JsonPropertyName("embedding")]
        public float[]? Embedding { get; set; }

        [JsonPropertyName("error_kind")]
        public string? ErrorKind { get; set; }

        [JsonPropertyName("error_message")]
        public string? ErrorMessage { get; set; }
    }

    /// <summary>Like an HTTP response body: no seeking, no position, no synchronous writes.</summary>
    private sealed class AppendOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => throw new InvalidOperationException("synchronous flush");

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous write");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
