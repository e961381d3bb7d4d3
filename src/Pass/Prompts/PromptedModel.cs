using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Prompts;

/// <summary>
/// A prompt followed by a backbone, as one module: the backbone's children are adopted under their
/// own names and the prompt is added as "prompt", so parameters read "prompt.prompt",
/// "conv1.weight", "layer1.0.bn1.running_mean", … One Checkpoint.Save writes both into one
/// safetensors file while the backbone keeps its torchvision names (its state dict, LayerWidths.Of
/// and the channel graph see the same names as for the bare backbone), and a loader built for the
/// bare backbone rejects the file by name rather than silently running it without its prompt.
/// Takes ownership of both: disposing this disposes the backbone's layers.
/// </summary>
public sealed class PromptedModel : Module
{
    public PromptedModel(VisualPrompt prompt, Module backbone)
    {
        if (backbone.Children.Any(c => c.Name == "prompt"))
            throw new ArgumentException($"PromptedModel: {backbone.GetType().Name} already has a child named 'prompt'");
        Prompt = AddModule("prompt", prompt);
        AdoptChildren(backbone, nameof(PromptedModel));
        Backbone = backbone;
    }

    public VisualPrompt Prompt { get; }

    /// <summary>The backbone, whose layers this module shares; run it through this module so that Train/Eval reach them.</summary>
    public Module Backbone { get; }

    /// <summary>
    /// False runs the backbone on the bare image: VPNs trains on prompted and unprompted batches in
    /// turn and (in its code) tests without the prompt, which a checkpoint records.
    /// </summary>
    public bool UsePrompt { get; set; } = true;

    protected override Tensor ForwardCore(Tensor x) => Backbone.Forward(UsePrompt ? Prompt.Forward(x) : x);

    public override Shape Trace(Shape input, ShapeTrace trace) =>
        Backbone.Trace(trace.Child("prompt", Prompt, input), trace);
}
