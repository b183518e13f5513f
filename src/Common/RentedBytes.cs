using System.Buffers;

namespace Dla.Common;

/// <summary>
/// Bytes read into an array rented from <see cref="ArrayPool{T}.Shared"/>, for encoded images on their way to a decoder.
/// An encoded photograph is 100 KB to several MB: a new array per read lands on the large object heap, and at hundreds of
/// images per second its churn keeps the background GC running on the cores that decoding needs. <see cref="Dispose"/>
/// gives the array back; nothing may use <see cref="Memory"/> after it.
/// </summary>
/// <remarks>
/// Compiled into Dla.Datasets (dataset reads) and Dla.Modeling (files given to <c>dla predict</c>), which reference no
/// common project; each keeps it internal.
/// </remarks>
internal sealed class RentedBytes : IMemoryOwner<byte>
{
    private byte[]? _array;

    /// <summary>An empty buffer with room for at least <paramref name="capacity"/> bytes.</summary>
    public RentedBytes(int capacity) => _array = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));

    /// <summary>
    /// Reads <paramref name="stream"/> to its end into a rented buffer sized for <paramref name="announcedLength"/> (the
    /// file's or blob's length; 0 when unknown), as <see cref="ReadToEndAsync"/> does; gives the buffer back if the read
    /// fails or <paramref name="limit"/> refuses it.
    /// </summary>
    public static async Task<RentedBytes> ReadAsync(Stream stream, long announcedLength, Action<long> limit, CancellationToken cancellationToken)
    {
        // One byte over the announced length, so the read that finds the end needs no larger array.
        var bytes = new RentedBytes((int)Math.Clamp(announcedLength + 1, 1, System.Array.MaxLength));
        try
        {
            await bytes.ReadToEndAsync(stream, limit, cancellationToken);
            return bytes;
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the local file <paramref name="path"/> on the calling thread into a rented buffer; <paramref name="limit"/> is
    /// told its length first, then each new length while reading (the file may grow), and throws to refuse it.
    /// </summary>
    /// <remarks>
    /// Synchronous on purpose: on Linux, .NET's asynchronous file reads are this same blocking read handed to a thread-pool
    /// thread, so an asynchronous read of a file in the page cache cost two thread-pool hops (the data, then the end) and the
    /// wake-ups that preempt the decode threads, for a copy that takes microseconds (docs/benchmarks.md, "Worker overhead").
    /// </remarks>
    public static RentedBytes ReadFile(string path, Action<long> limit)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var announced = RandomAccess.GetLength(file);
        limit(announced);
        var bytes = new RentedBytes((int)Math.Clamp(announced + 1, 1, System.Array.MaxLength));
        try
        {
            while (true)
            {
                if (bytes.Length == bytes.Array.Length)
                {
                    bytes.Grow();
                }
                var read = RandomAccess.Read(file, bytes.Array.AsSpan(bytes.Length), bytes.Length);
                if (read == 0)
                {
                    return bytes;
                }
                bytes.Length += read;
                limit(bytes.Length);
            }
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    /// <summary>The bytes read so far.</summary>
    public int Length { get; private set; }

    /// <inheritdoc />
    public Memory<byte> Memory => Array.AsMemory(0, Length);

    /// <summary>
    /// Reads <paramref name="stream"/> to its end; <paramref name="limit"/> is told each new length and throws to refuse it.
    /// Grows (doubling) when the stream is longer than the capacity asked for.
    /// </summary>
    public async Task ReadToEndAsync(Stream stream, Action<long> limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Length == Array.Length)
            {
                Grow();
            }
            var read = await stream.ReadAsync(Array.AsMemory(Length), cancellationToken);
            if (read == 0)
            {
                return;
            }
            Length += read;
            limit(Length);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(RentedBytes));

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(checked(Array.Length * 2));
        Array.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(Array);
        _array = larger;
    }
}
