using SparseCore.Models.Modules;
using SparseCore.Pass.Methods;
using SparseCore.Tensors;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// `synflow`: SynFlow, iterative synaptic flow pruning (Tanaka et al., NeurIPS 2020), data-free.
/// <see cref="Rounds"/> rounds on the exponential schedule: after round r of T the density is
/// d^(r/T) for d = 1 − s, and round T cuts exactly the --sparsity budget. Each round, as the
/// paper's code does: every parameter and buffer is replaced by its absolute value (its
/// `linearize` on the state dict, batch-norm's running statistics included), the prunable weights
/// are multiplied by the current mask, the network runs in evaluation mode on an all-ones input
/// [1, C, H, W], and with R = Σ output each weight scores |∂R/∂w ⊙ w|; weights removed in an
/// earlier round score −1, so they are cut first and stay removed. The dense network comes back
/// unchanged. One difference of setting, not of method: the paper's code normalises the images
/// outside the network, so the ones reach the first conv; here normalisation is the network's
/// first layer (<see cref="Normalize"/>), and its output is replaced by ones while scoring so the
/// first conv sees the same input. In float32 the path products of a deep network can overflow
/// (the paper's code has a float64 line for this); a non-finite R or score stops the run with the
/// round named rather than ranking NaN.
/// </summary>
public sealed class SynFlowMethod : PruningMethod
{
    public const int Rounds = 100;

    public override SelectionKind Kind => SelectionKind.Weights;

    public override Selection Select(MethodContext context)
    {
        var weights = PrunableWeights.Of(context.Dense);
        var train = context.Data.Train;
        var input = new Shape(1, train.Channels, train.Height, train.Width);
        var masks = Prune(context.Dense, weights, input, WeightRanking.WeightBudget(context), Rounds);
        return new WeightSelection(PrunableWeights.ByName(weights, masks), null, new StageOneCost(0, 0));
    }

    /// <summary>The masks after <paramref name="rounds"/> rounds of scoring and cutting, ending at exactly <paramref name="sparsity"/>.</summary>
    internal static float[][] Prune(Module model, IReadOnlyList<PrunableWeight> weights, Shape input, double sparsity, int rounds)
    {
        long total = weights.Sum(w => (long)w.Size);
        var masks = weights.Select(w => Enumerable.Repeat(1f, w.Size).ToArray()).ToArray();
        using var network = new Linearized(model, weights, input);
        for (int r = 1; r <= rounds; r++)
            masks = GlobalSelection.Masks(network.Scores(masks, r), GlobalSelection.RemovedCount(RoundSparsity(sparsity, r, rounds), total));
        return masks;
    }

    /// <summary>1 − d^(r/T) for d = 1 − s after round r of T; the last round is s itself, not 1 − (1 − s), which binary rounding may miss.</summary>
    internal static double RoundSparsity(double sparsity, int round, int rounds) =>
        round == rounds ? sparsity : 1 - Math.Pow(1 - sparsity, (double)round / rounds);

    /// <summary>
    /// The network with |θ| in place of θ, in evaluation mode and with ones after its input
    /// normalisation, for as long as it lives; disposing it puts back the values, modes and (empty) gradients.
    /// </summary>
    internal sealed class Linearized : IDisposable
    {
        private readonly Module model;
        private readonly IReadOnlyList<PrunableWeight> weights;
        private readonly Shape input;
        private readonly ModuleSnapshot snapshot;
        private readonly float[][] magnitudes;
        private readonly List<IDisposable> hooks = new();

        public Linearized(Module model, IReadOnlyList<PrunableWeight> weights, Shape input)
        {
            this.model = model;
            this.weights = weights;
            this.input = input;
            snapshot = new ModuleSnapshot(model);
            foreach (var (t, values) in snapshot.Tensors) t.Backend.Upload<float>(values.Select(MathF.Abs).ToArray(), t.Buffer);
            magnitudes = weights.Select(w => w.Parameter.Value.ToArray()).ToArray();
            model.Eval();
            foreach (var (_, m) in model.NamedModules())
                if (m is Normalize) hooks.Add(m.AddForwardHook((_, y) => Tensor.Full(y.Backend, y.Shape, 1f)));
        }

        /// <summary>One round's scores: |∂R/∂w ⊙ w| with the weights at |w| ⊙ m, and −1 where <paramref name="masks"/> has removed a weight.</summary>
        public float[][] Scores(float[][] masks, int round)
        {
            var scores = new float[weights.Count][];
            for (int l = 0; l < weights.Count; l++)
            {
                var t = weights[l].Parameter.Value;
                var m = masks[l];
                var held = scores[l] = new float[m.Length];
                for (int i = 0; i < held.Length; i++) held[i] = magnitudes[l][i] * m[i];
                t.Backend.Upload<float>(held, t.Buffer);
            }
            model.ZeroGrad();
            using (var scope = new TensorScope())
            {
                var x = Tensor.Full(weights[0].Parameter.Value.Backend, input, 1f);
                var r = F.SumAll(model.Forward(x));
                float value = r.Item();
                if (!float.IsFinite(value))
                    throw new InvalidOperationException($"SynFlow: round {round}: R = Σ output is {value}; the network's path products overflow float32");
                r.Backward();
            }
            for (int l = 0; l < weights.Count; l++)
            {
                var w = scores[l]; // the weights as held, overwritten by their scores
                var m = masks[l];
                var g = weights[l].Parameter.Grad?.ToArray() ?? new float[w.Length];
                for (int i = 0; i < w.Length; i++)
                {
                    float s = m[i] == 0f ? -1f : MathF.Abs(g[i] * w[i]);
                    if (!float.IsFinite(s))
                        throw new InvalidOperationException($"SynFlow: round {round}: the score of {weights[l].Name}[{i}] is {s}; the network's path products overflow float32");
                    w[i] = s;
                }
            }
            return scores;
        }

        public void Dispose()
        {
            foreach (var h in hooks) h.Dispose();
            model.ZeroGrad();
            snapshot.Restore();
        }
    }
}
