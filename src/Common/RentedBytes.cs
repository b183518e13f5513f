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
        var bytes = ForLength(announcedLength);
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
    /// Reads the file at <paramref name="path"/> whole, with blocking reads on the calling thread, into a rented buffer
    /// sized for the file's length; <paramref name="limit"/> is told that length first, then each new length as
    /// <see cref="ReadToEndAsync"/> does, and throws to refuse it. For the decode threads, which read and decode an image
    /// in one step: on Linux an asynchronous file read is this same blocking read, run on a thread-pool thread.
    /// </summary>
    public static RentedBytes ReadFile(string path, Action<long> limit)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var announcedLength = RandomAccess.GetLength(file);
        limit(announcedLength);
        var bytes = ForLength(announcedLength);
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

    // One byte over the announced length, so the read that finds the end needs no larger array.
    private static RentedBytes ForLength(long announcedLength) => new((int)Math.Clamp(announcedLength + 1, 1, System.Array.MaxLength));

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(RentedBytes));

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(checked(Array.Length * 2));
        Array.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(Array);
        _array = larger;
    }
}
