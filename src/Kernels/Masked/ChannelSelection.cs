using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Masked;

/// <summary>
/// The kept channels of one layer: <see cref="Count"/> distinct channel indices out of
/// <see cref="Width"/>, validated once on the host (where masks and index lists come from) and
/// uploaded once, so the gather/scatter kernels never see an index out of range or repeated and
/// need not check. Any order is accepted and kept: position j of a gathered tensor holds channel
/// <c>Indices[j]</c> (<see cref="FromMask"/> gives ascending order). An empty selection (a layer
/// pruned away) is allowed; gathering it gives a zero-width tensor.
/// Owns two device buffers — the indices, and the inverse map channel → position (−1 for a dropped
/// channel) that lets a zero-filling scatter write every output once — released by Dispose.
/// </summary>
public sealed class ChannelSelection : IDisposable
{
    private readonly int[] indices;
    private readonly int[] positions;
    private DeviceBuffer<int>? indexBuffer;
    private DeviceBuffer<int>? positionBuffer;

    private ChannelSelection(Backend backend, int[] indices, int[] positions)
    {
        Backend = backend;
        this.indices = indices;
        this.positions = positions;
        indexBuffer = backend.Allocate<int>(indices.Length);
        positionBuffer = backend.Allocate<int>(positions.Length);
        backend.Upload<int>(indices, indexBuffer);
        backend.Upload<int>(positions, positionBuffer);
    }

    /// <summary>
    /// Keeps <paramref name="indices"/> (in that order) out of <paramref name="width"/> channels.
    /// An index outside [0, width) or a repeated one is an ArgumentException naming
    /// <paramref name="op"/>, the position and the value.
    /// </summary>
    public static ChannelSelection FromIndices(Backend backend, ReadOnlySpan<int> indices, int width, string op = nameof(ChannelSelection))
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (width <= 0) throw new ArgumentException($"{op}: channel width must be positive, got {width}");
        if (indices.Length > width)
            throw new ArgumentException($"{op}: {indices.Length} indices cannot be distinct channels out of {width}");
        var positions = new int[width];
        Array.Fill(positions, -1);
        for (int j = 0; j < indices.Length; j++)
        {
            int c = indices[j];
            if ((uint)c >= (uint)width)
                throw new ArgumentException($"{op}: channel index at position {j} is {c}, outside [0, {width})");
            if (positions[c] >= 0)
                throw new ArgumentException($"{op}: channel index at position {j} is {c}, already listed at position {positions[c]}");
            positions[c] = j;
        }
        return new ChannelSelection(backend, indices.ToArray(), positions);
    }

    /// <summary>
    /// The channels whose mask entry is 1, ascending; the width is the mask's length. Entries must be
    /// exactly 0 or 1 (a soft mask is not a selection): anything else names the position and value.
    /// </summary>
    public static ChannelSelection FromMask(Backend backend, ReadOnlySpan<float> mask, string op = nameof(ChannelSelection))
    {
        var kept = new List<int>(mask.Length);
        for (int c = 0; c < mask.Length; c++)
        {
            if (mask[c] == 1f) kept.Add(c);
            else if (mask[c] != 0f)
                throw new ArgumentException($"{op}: mask entry at position {c} is {mask[c]}, not 0 or 1");
        }
        return FromIndices(backend, kept.ToArray(), mask.Length, op);
    }

    public Backend Backend { get; }

    /// <summary>Channel count of the full (unpruned) axis.</summary>
    public int Width => positions.Length;

    /// <summary>Number of kept channels.</summary>
    public int Count => indices.Length;

    /// <summary>Kept channels in gathered order.</summary>
    public ReadOnlySpan<int> Indices => indices;

    /// <summary>Position of <paramref name="channel"/> in the gathered order, −1 when it is dropped.</summary>
    public int PositionOf(int channel) => positions[channel];

    public bool IsDisposed => indexBuffer is null;

    /// <summary>The indices on the device: int[Count].</summary>
    public DeviceBuffer<int> IndexBuffer =>
        indexBuffer ?? throw new ObjectDisposedException(nameof(ChannelSelection), $"a selection of {Count} of {Width} channels was used after Dispose");

    /// <summary>The inverse map on the device: int[Width], position or −1.</summary>
    public DeviceBuffer<int> PositionBuffer =>
        positionBuffer ?? throw new ObjectDisposedException(nameof(ChannelSelection), $"a selection of {Count} of {Width} channels was used after Dispose");

    public void Dispose()
    {
        indexBuffer?.Dispose();
        positionBuffer?.Dispose();
        indexBuffer = null;
        positionBuffer = null;
    }

    public override string ToString() => $"ChannelSelection({Count} of {Width} on {Backend.Name})";
}
