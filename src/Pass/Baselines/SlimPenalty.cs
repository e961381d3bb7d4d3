using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// Network slimming's sparsity training (Liu et al. 2017): the loss gains λ·Σ|γ| over the
/// batch-norm scales of every prunable layer, which drives unimportant channels' γ towards zero
/// before <see cref="ChannelImportance.BnScale"/> ranks them. Applied as its subgradient
/// λ·sign(γ) added to γ's gradient between loss.Backward() and optimizer.Step(), as the authors'
/// code does (sign(0) = 0), so the loss and its graph stay untouched. Frozen γ are skipped, as the
/// optimizer skips them. A layer without batch-norm is an ArgumentException naming it.
/// </summary>
public static class SlimPenalty
{
    /// <summary>
    /// 10⁻⁴: the authors' code default (--s 0.0001) and the paper's choice for VGG on CIFAR, found by
    /// a grid over 10⁻³…10⁻⁵ (the paper takes 10⁻⁵ for its ResNet and DenseNet).
    /// </summary>
    public const float PaperLambda = 1e-4f;

    private const string Method = "slimming penalty";

    /// <summary>
    /// The step that adds λ·sign(γ) to every prunable layer's γ gradient of <paramref name="backbone"/>,
    /// its layers looked up and checked once rather than every step: hand it to
    /// TrainerOptions.AfterBackward, which calls it with the model after loss.Backward().
    /// </summary>
    public static Action<Module> Gradient(Module backbone, ChannelGraph graph, float lambda)
    {
        CheckLambda(lambda);
        var layers = new BackboneLayers(backbone, graph, Method);
        var prunable = graph.Layers.Where(l => l.Prunable).Select(l => (Layer: l, Gamma: layers.RequiredNorm(l).Weight)).ToArray();
        return model =>
        {
            if (!ReferenceEquals(model, backbone))
                throw new ArgumentException($"{Method}: built for one model of {graph.Model}, called with another", nameof(model));
            foreach (var (layer, gamma) in prunable)
            {
                if (gamma.Frozen) continue;
                var grad = gamma.Grad ?? throw new InvalidOperationException(
                    $"{Method}: γ of '{layer.Norm}' has no gradient; call it after loss.Backward() and before optimizer.Step()");
                var values = layers.RequiredGamma(layer);
                var g = grad.ToArray();
                for (int c = 0; c < g.Length; c++) g[c] += lambda * MathF.Sign(values[c]);
                grad.Backend.Upload<float>(g, grad.Buffer);
            }
        };
    }

    private static void CheckLambda(float lambda)
    {
        if (!(float.IsFinite(lambda) && lambda >= 0))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "the slimming penalty λ must be finite and non-negative");
    }
}
