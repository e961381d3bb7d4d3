using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Flops;

/// <summary>
/// The state of a shape walk through a module tree (<see cref="Module.Trace"/>): the dotted name of
/// the layer being walked, the rows recorded so far, and optionally the kept output channels of
/// masked layers. A masked layer's output has its kept channels only, so the next layer is counted
/// with the reduced input too — the costs of the network that extracting the mask would give.
/// </summary>
public sealed class ShapeTrace
{
    private readonly List<LayerCost> rows = new();
    private readonly List<string> path = new();
    private readonly IReadOnlyDictionary<string, int> kept;
    private readonly HashSet<string> keptSeen = new();

    public ShapeTrace(IReadOnlyDictionary<string, int>? keptChannels = null)
    {
        kept = keptChannels ?? new Dictionary<string, int>();
    }

    public IReadOnlyList<LayerCost> Rows => rows;

    /// <summary>The dotted name of the module being walked ("" for the root).</summary>
    public string Name => string.Join('.', path);

    /// <summary>Walks a child module under <paramref name="name"/>.</summary>
    public Shape Child(string name, Module module, Shape input)
    {
        path.Add(name);
        try { return module.Trace(input, this); }
        finally { path.RemoveAt(path.Count - 1); }
    }

    /// <summary>The current layer's output channels: its kept count when masked, else <paramref name="full"/>.</summary>
    public int KeptOutputs(int full) => KeptOutputs(full, full);

    /// <summary>
    /// As <see cref="KeptOutputs(int)"/>, for a layer whose kept count may exceed its unmasked
    /// default, up to <paramref name="upper"/>: a zero-padding shortcut whose extracted stream keeps
    /// channels its narrower input dropped.
    /// </summary>
    public int KeptOutputs(int full, int upper)
    {
        string name = Name;
        if (!kept.TryGetValue(name, out int k)) return full;
        if (k < 1 || k > upper)
            throw new ArgumentException($"kept channels for '{name}' must be in [1, {upper}], got {k}");
        keptSeen.Add(name);
        return k;
    }

    public void Record(string kind, Shape input, Shape output, long parameters, long macs, long attentionMacs = 0) =>
        rows.Add(new LayerCost(Name, kind, input, output, parameters, macs, attentionMacs));

    /// <summary>A parameter a module owns directly (a class token, a position embedding), as its own row.</summary>
    public void RecordParameter(string localName, Shape shape)
    {
        string name = path.Count == 0 ? localName : Name + "." + localName;
        rows.Add(new LayerCost(name, "parameter", shape, shape, shape.Size, 0));
    }

    /// <summary>
    /// The shape after adding a residual branch to its shortcut: spatial extents must agree; the
    /// channel count is the larger of the two (masked streams keep the union of their channels).
    /// </summary>
    public Shape Residual(Shape branch, Shape shortcut)
    {
        if (branch.Rank != shortcut.Rank || branch[0] != shortcut[0] || !branch.Dims[2..].SequenceEqual(shortcut.Dims[2..]))
            throw new TensorShapeException($"residual add at '{Name}'", $"branch {branch} and shortcut {shortcut} must agree except in channels");
        var dims = branch.Dims.ToArray();
        dims[1] = Math.Max(branch[1], shortcut[1]);
        return new Shape(dims);
    }

    /// <summary>Every kept-channel entry must have named a layer of the walked model (catches typos).</summary>
    internal void CheckAllKeptUsed()
    {
        var unknown = kept.Keys.Where(k => !keptSeen.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"kept channels name layers the model does not have: {string.Join(", ", unknown)}");
    }
}
