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
    /// <summary>The paper's λ for CIFAR VGG and ResNet (10⁻⁴; 10⁻⁵ for DenseNet and ImageNet VGG-A).</summary>
    public const float PaperLambda = 1e-4f;

    /// <summary>Adds λ·sign(γ) to the gradient of every prunable layer's batch-norm γ; call after loss.Backward().</summary>
    public static void AddGradient(Module backbone, ChannelGraph graph, float lambda)
    {
        CheckLambda(lambda);
        foreach (var (name, norm) in Norms(backbone, graph))
        {
            var gamma = norm.Weight;
            if (gamma.Frozen) continue;
            var grad = gamma.Grad ?? throw new InvalidOperationException(
                $"slimming penalty: γ of '{name}' has no gradient; call AddGradient after loss.Backward() and before optimizer.Step()");
            var values = Finite(name, gamma.Value.ToArray());
            var g = grad.ToArray();
            for (int c = 0; c < g.Length; c++) g[c] += lambda * MathF.Sign(values[c]);
            grad.Backend.Upload<float>(g, grad.Buffer);
        }
    }

    /// <summary>λ·Σ|γ| over the same γ, for logging the penalised loss.</summary>
    public static double Penalty(Module backbone, ChannelGraph graph, float lambda)
    {
        CheckLambda(lambda);
        double sum = 0;
        foreach (var (name, norm) in Norms(backbone, graph))
            foreach (float v in Finite(name, norm.Weight.Value.ToArray())) sum += Math.Abs(v);
        return lambda * sum;
    }

    private static IEnumerable<(string Name, BatchNorm2d Norm)> Norms(Module backbone, ChannelGraph graph)
    {
        var layers = new BackboneLayers(backbone, graph, "slimming penalty");
        return graph.Layers.Where(l => l.Prunable).Select(l => (l.Norm!, layers.RequiredNorm(l))).ToList();
    }

    private static float[] Finite(string norm, float[] gamma) => gamma.All(float.IsFinite)
        ? gamma
        : throw new ArgumentException($"slimming penalty: γ of '{norm}' is not finite; training diverged");

    private static void CheckLambda(float lambda)
    {
        if (!(float.IsFinite(lambda) && lambda >= 0))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "the slimming penalty λ must be finite and non-negative");
    }
}
