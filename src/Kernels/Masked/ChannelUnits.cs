using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Masked;

/// <summary>
/// How channels pool their squared norms for <see cref="Backend.UnitScales"/>: the channels of a
/// concatenation cut into consecutive segments (one per mask), and per channel the channels whose
/// sums make up its unit's norm (for DepGraph itself and the channels of other masks coupled to it),
/// in the order they are added. Validated once on the host and uploaded once as index tables
/// (per-channel member lists in CSR form, segment starts), so the kernel reads indices it need not
/// check and a training step uploads nothing. Owns three int buffers, released by Dispose.
/// </summary>
public sealed class ChannelUnits : IDisposable
{
    private DeviceBuffer<int>? memberStarts;
    private DeviceBuffer<int>? members;
    private DeviceBuffer<int>? segmentStarts;

    /// <param name="segments">Channels per segment, each ≥ 1; their total is the channel count.</param>
    /// <param name="unitMembers">Per channel, the channels whose sums its unit's norm adds, in order: non-empty, each in [0, channels).</param>
    public ChannelUnits(Backend backend, IReadOnlyList<int> segments, IReadOnlyList<IReadOnlyList<int>> unitMembers, string op = nameof(ChannelUnits))
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(unitMembers);
        if (segments.Count == 0) throw new ArgumentException($"{op}: segments is empty", nameof(segments));
        var starts = new int[segments.Count + 1];
        for (int s = 0; s < segments.Count; s++)
        {
            if (segments[s] < 1) throw new ArgumentException($"{op}: segment {s} has {segments[s]} channels, needs ≥ 1", nameof(segments));
            starts[s + 1] = checked(starts[s] + segments[s]);
        }
        int channels = starts[^1];
        if (unitMembers.Count != channels)
            throw new ArgumentException($"{op}: unitMembers lists {unitMembers.Count} channels, the segments hold {channels}", nameof(unitMembers));
        var memberStart = new int[channels + 1];
        var flat = new List<int>();
        for (int c = 0; c < channels; c++)
        {
            var list = unitMembers[c] ?? throw new ArgumentException($"{op}: unitMembers of channel {c} is null", nameof(unitMembers));
            if (list.Count == 0) throw new ArgumentException($"{op}: unitMembers of channel {c} is empty", nameof(unitMembers));
            foreach (int m in list)
                if ((uint)m >= (uint)channels)
                    throw new ArgumentException($"{op}: unitMembers of channel {c} lists {m}, outside [0, {channels})", nameof(unitMembers));
            flat.AddRange(list);
            memberStart[c + 1] = flat.Count;
        }
        Backend = backend;
        Channels = channels;
        Segments = segments.Count;
        memberStarts = Uploaded(backend, memberStart);
        members = Uploaded(backend, flat.ToArray());
        segmentStarts = Uploaded(backend, starts);
    }

    private static DeviceBuffer<int> Uploaded(Backend backend, int[] values)
    {
        var buffer = backend.Allocate<int>(values.Length);
        backend.Upload<int>(values, buffer);
        return buffer;
    }

    public Backend Backend { get; }

    /// <summary>Channels of the concatenation.</summary>
    public int Channels { get; }

    /// <summary>Number of segments (masks).</summary>
    public int Segments { get; }

    /// <summary>int[Channels + 1]: channel c's members are Members[MemberStarts[c] .. MemberStarts[c + 1]).</summary>
    public DeviceBuffer<int> MemberStarts => memberStarts ?? throw Disposed();

    /// <summary>The member lists of every channel, one after another.</summary>
    public DeviceBuffer<int> Members => members ?? throw Disposed();

    /// <summary>int[Segments + 1]: segment s is channels SegmentStarts[s] .. SegmentStarts[s + 1].</summary>
    public DeviceBuffer<int> SegmentStarts => segmentStarts ?? throw Disposed();

    private ObjectDisposedException Disposed() =>
        new(nameof(ChannelUnits), $"the units of {Channels} channels in {Segments} segments were used after Dispose");

    public void Dispose()
    {
        memberStarts?.Dispose();
        members?.Dispose();
        segmentStarts?.Dispose();
        memberStarts = members = segmentStarts = null;
    }

    public override string ToString() => $"ChannelUnits({Channels} channels in {Segments} segments on {Backend.Name})";
}
