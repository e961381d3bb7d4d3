using SparseCore.Kernels.Elementwise;
using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// Network slimming's sparsity training (Liu et al. 2017): the loss gains λ·Σ|γ| over the
/// batch-norm scales of every prunable layer, which drives unimportant channels' γ towards zero
/// before <see cref="ChannelImportance.BnScale"/> ranks them. Applied as its subgradient
/// λ·sign(γ) added to γ's gradient between loss.Backward() and optimizer.Step(), as the authors'
/// code does (sign(0) = 0), so the loss and its graph stay untouched; it runs on the device (a
/// non-finite γ is left to the epoch's divergence check rather than read back every step). Frozen
/// γ are skipped, as the optimizer skips them. A layer without batch-norm is an ArgumentException naming it.
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
                // On the device: grad += λ·sign(γ). Reading γ and the gradient back cost two stream
                // drains per layer per step on a GPU; λ·sign is exact, so the sum is the host loop's.
                var backend = grad.Backend;
                int n = grad.Size;
                using var signs = backend.Allocate<float>(n);
                backend.Unary(UnaryOp.Sign, gamma.Value.Buffer, signs, n);
                backend.Axpby(lambda, signs, 1f, grad.Buffer, n);
            }
        };
    }

    private static void CheckLambda(float lambda)
    {
        if (!(float.IsFinite(lambda) && lambda >= 0))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "the slimming penalty λ must be finite and non-negative");
    }
}
