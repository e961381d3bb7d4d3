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

    /// <summary>Adds λ·sign(γ) to the gradient of every prunable layer's batch-norm γ; call after loss.Backward().</summary>
    public static void AddGradient(Module backbone, ChannelGraph graph, float lambda)
    {
        CheckLambda(lambda);
        var layers = new BackboneLayers(backbone, graph, Method);
        foreach (var layer in graph.Layers.Where(l => l.Prunable))
        {
            var gamma = layers.RequiredNorm(layer).Weight;
            if (gamma.Frozen) continue;
            var grad = gamma.Grad ?? throw new InvalidOperationException(
                $"{Method}: γ of '{layer.Norm}' has no gradient; call AddGradient after loss.Backward() and before optimizer.Step()");
            var values = layers.RequiredGamma(layer);
            var g = grad.ToArray();
            for (int c = 0; c < g.Length; c++) g[c] += lambda * MathF.Sign(values[c]);
            grad.Backend.Upload<float>(g, grad.Buffer);
        }
    }

    /// <summary>λ·Σ|γ| over the same γ, for logging the penalised loss.</summary>
    public static double Penalty(Module backbone, ChannelGraph graph, float lambda)
    {
        CheckLambda(lambda);
        var layers = new BackboneLayers(backbone, graph, Method);
        double sum = 0;
        foreach (var layer in graph.Layers.Where(l => l.Prunable))
            foreach (float v in layers.RequiredGamma(layer)) sum += Math.Abs(v);
        return lambda * sum;
    }

    private static void CheckLambda(float lambda)
    {
        if (!(float.IsFinite(lambda) && lambda >= 0))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "the slimming penalty λ must be finite and non-negative");
    }
}
