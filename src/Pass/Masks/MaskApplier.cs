using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Tensors;

namespace SparseCore.Pass.Masks;

/// <summary>
/// Makes a backbone run masked: a forward hook on every prunable layer's batch-norm (on the conv
/// itself when it has none, i.e. after its bias) multiplies the output by that layer's mask along
/// axis 1. A layer sharing a mask (a downsample conv) is masked by it too. The masks are slices of
/// one concatenated mask tensor, taken at each forward so that its gradient (the STE onto the
/// scores, or a plain leaf's) flows back. Disposing removes the hooks; build one per step.
/// </summary>
public sealed class MaskApplier : IDisposable
{
    private readonly List<IDisposable> hooks = new();

    /// <param name="model">The backbone, or a PromptedModel around it (same module names).</param>
    /// <param name="mask">Every distinct mask's channels concatenated in graph order ([TotalChannels]).</param>
    public MaskApplier(Module model, ChannelGraph graph, Tensor mask)
    {
        if (mask.Rank != 1 || mask.Size != graph.TotalChannels)
            throw new TensorShapeException("MaskApplier", $"expects the {graph.Model} masks concatenated, [{graph.TotalChannels}], got {mask.Shape}");
        var modules = model.NamedModules().ToDictionary(m => m.Name, m => m.Module);
        var offsets = new int[graph.Masks.Count];
        for (int i = 1; i < offsets.Length; i++) offsets[i] = offsets[i - 1] + graph.Masks[i - 1].Channels;
        try
        {
            foreach (var layer in graph.Layers)
            {
                if (layer.Mask is not int id) continue;
                string target = layer.Norm ?? layer.Name;
                if (!modules.TryGetValue(target, out var module))
                    throw new ArgumentException($"MaskApplier: the model has no module '{target}' (graph of {graph.Model})");
                int offset = offsets[id], width = graph.Masks[id].Channels;
                hooks.Add(module.AddForwardHook((_, y) => F.MaskChannels(y, F.Slice(mask, 0, offset, width))));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public MaskApplier(Module model, ChannelGraph graph, MaskSet masks)
        : this(model, graph, masks.Mask)
    {
    }

    public void Dispose()
    {
        foreach (var hook in hooks) hook.Dispose();
        hooks.Clear();
    }
}
