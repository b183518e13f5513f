using System.Globalization;

namespace Dla.Scheduler.Browsing;

/// <summary>The orders the results grid can be read in; each is a keyset over one index of <c>results</c>.</summary>
public enum ResultOrder
{
    /// <summary>Manifest order (the primary key).</summary>
    Image,

    /// <summary>Least confident first: ascending top-1 probability, then image id.</summary>
    Probability,

    /// <summary>Most confident first: descending top-1 probability, then descending image id.</summary>
    ProbabilityDesc,
}

/// <summary>
/// Where the next page starts: the last row's sort key. Written <c>image_id</c> (image order) or
/// <c>probability:image_id</c> (probability orders), so it is short, readable and safe in a URL.
/// </summary>
public sealed record ResultCursor(float? Probability, long ImageId)
{
    /// <summary>The cursor text of a row in <paramref name="order"/>.</summary>
    public static string Of(ResultOrder order, float? probability, long imageId) => order == ResultOrder.Image
        ? imageId.ToString(CultureInfo.InvariantCulture)
        : $"{(probability ?? 0).ToString("R", CultureInfo.InvariantCulture)}:{imageId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <paramref name="text"/> for <paramref name="order"/>; null when it is not a cursor of that order.</summary>
    public static ResultCursor? TryParse(ResultOrder order, string text)
    {
        var parts = text.Split(':');
        if (order == ResultOrder.Image)
        {
            return parts.Length == 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? new ResultCursor(null, id) : null;
        }
        return parts.Length == 2
               && float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var p)
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var imageId)
            ? new ResultCursor(p, imageId)
            : null;
    }
}
