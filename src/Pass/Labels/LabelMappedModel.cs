using SparseCore.Kernels.Masked;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Labels;

/// <summary>
/// A network with a pretrained S-class head answering a C-class task through a label map: the
/// output is z[:, c] = logits[:, Map[c]], [N, C] (the backward scatters into zeros, so source
/// classes no target uses get no gradient). The network's children are adopted under their own
/// names, as <see cref="Prompts.PromptedModel"/> adopts a backbone's, so its parameter and buffer
/// names — and checkpoints written for it — are unchanged. Takes ownership of the network's layers.
/// </summary>
public sealed class LabelMappedModel : Module
{
    private readonly int[] map;

    // Built at the first forward, when the head's width and backend are known; the gathers recorded
    // on the tape read it until their backward has run, so it lives as long as this module.
    private ChannelSelection? selection;

    public LabelMappedModel(Module inner, int[] map)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(map);
        if (map.Length == 0) throw new ArgumentException("LabelMappedModel: the label map is empty");
        var seen = new HashSet<int>();
        for (int c = 0; c < map.Length; c++)
        {
            if (map[c] < 0) throw new ArgumentException($"LabelMappedModel: target class {c} maps to source class {map[c]}");
            if (!seen.Add(map[c])) throw new ArgumentException($"LabelMappedModel: source class {map[c]} is mapped to twice (again by target class {c})");
        }
        AdoptChildren(inner, nameof(LabelMappedModel));
        Inner = inner;
        this.map = map.ToArray();
    }

    /// <summary>The wrapped network, whose layers this module shares; run it through this module so that Train/Eval reach them.</summary>
    public Module Inner { get; }

    /// <summary>map[c] = the source class that answers for target class c (a copy).</summary>
    public int[] Map => map.ToArray();

    protected override Tensor ForwardCore(Tensor x)
    {
        var logits = Inner.Forward(x);
        return F.GatherChannels(logits, SelectionFor(logits), axis: 1);
    }

    private ChannelSelection SelectionFor(Tensor logits)
    {
        if (logits.Rank != 2)
            throw new TensorShapeException("LabelMappedModel", $"the network gives {logits.Shape}, not logits [N, source classes]");
        selection ??= ChannelSelection.FromIndices(logits.Backend, map, logits.Shape[1], "LabelMappedModel");
        if (!ReferenceEquals(selection.Backend, logits.Backend) || selection.Width != logits.Shape[1])
            throw new InvalidOperationException(
                $"LabelMappedModel: mapped {selection.Width} source classes on {selection.Backend.Name}, now given {logits.Shape[1]} on {logits.Backend.Name}");
        return selection;
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        var logits = Inner.Trace(input, trace);
        if (logits.Rank != 2 || logits[1] <= map.Max())
            throw new TensorShapeException($"LabelMappedModel '{trace.Name}'", $"the network gives {logits}, not logits [N, > {map.Max()}]");
        return new Shape(logits[0], map.Length);
    }

    public override void Dispose()
    {
        selection?.Dispose();
        selection = null;
        base.Dispose();
    }
}
