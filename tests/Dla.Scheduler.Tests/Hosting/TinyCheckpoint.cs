using System.Buffers.Binary;
using System.Text;

namespace Dla.Scheduler.Tests.Hosting;

/// <summary>
/// A well-formed safetensors file holding only a classifier (<c>fc.weight</c> of <c>classes</c> rows): what the
/// scheduler reads at submission (its header), not a checkpoint a worker could load.
/// </summary>
internal static class TinyCheckpoint
{
    public static byte[] Bytes(int classes, int features = 4)
    {
        var dataBytes = classes * features * sizeof(float);
        var header = Encoding.UTF8.GetBytes("{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[" + classes + "," + features + ",1,1],\"data_offsets\":[0," + dataBytes + "]}}");
        var file = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteInt64LittleEndian(file, header.Length);
        header.CopyTo(file, 8);
        return file;
    }
}
