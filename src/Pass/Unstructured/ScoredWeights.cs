using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// A real score per prunable weight and the global mask it gives (HYDRA; VPNs, docs/vpns.md): scores
/// start at HYDRA's scaled magnitude s = √(6/fan_in)·W/max|W_layer| (sign kept), the mask keeps all
/// but the ⌊s·N⌋ smallest |s| over every layer (<see cref="GlobalSelection"/>), and while attached
/// each layer runs on W ⊙ m with the straight-through gradient sign(s)·(∂L/∂W_eff ⊙ W) to its
/// scores (<see cref="F.ScoreMaskedWeight"/>). <see cref="Recompute"/> re-cuts after the scores
/// moved — VPNs does so after every score step. The scores are parameters named
/// "score.&lt;weight name&gt;" for checkpoints.
/// </summary>
public sealed class ScoredWeights : IDisposable
{
    private readonly IReadOnlyList<PrunableWeight> weights;
    private readonly Parameter[] scores;
    private readonly Tensor[] masks;
    private readonly float[][] hostMasks;
    private readonly float[][] magnitudes;
    private readonly float[] scratch;

    public ScoredWeights(Module model, double sparsity)
    {
        weights = PrunableWeights.Of(model);
        Removed = GlobalSelection.RemovedCount(sparsity, weights.Sum(w => (long)w.Size));
        scores = new Parameter[weights.Count];
        masks = new Tensor[weights.Count];
        hostMasks = new float[weights.Count][];
        magnitudes = new float[weights.Count][];
        try
        {
            for (int i = 0; i < weights.Count; i++)
            {
                var w = weights[i];
                var value = w.Parameter.Value;
                scores[i] = new Parameter("score." + w.Name, Tensor.FromArray(value.Backend, ScaledInit(value.ToArray(), w.FanIn), value.Shape));
                masks[i] = Tensor.Zeros(value.Backend, value.Shape).Persist();
                magnitudes[i] = new float[w.Size];
                hostMasks[i] = new float[w.Size];
            }
            scratch = new float[weights.Sum(w => (long)w.Size)];
            Recompute();
            for (int i = 0; i < weights.Count; i++)
            {
                var (score, mask) = (scores[i].Value, masks[i]);
                weights[i].Layer.WeightView = w => F.ScoreMaskedWeight(w, score, mask);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Weights the mask removes: ⌊s·N⌋.</summary>
    public long Removed { get; }

    /// <summary>The score parameters, in the weights' order.</summary>
    public IReadOnlyList<Parameter> Scores => scores;

    /// <summary>Seconds spent in <see cref="Recompute"/> so far, and how many times: the selection's share of a step.</summary>
    public (double Seconds, int Count) SelectionTime { get; private set; }

    /// <summary>HYDRA's scaled initialisation: √(6/fan_in)·W/max|W| over the layer; an all-zero layer scores 0.</summary>
    public static float[] ScaledInit(float[] weight, int fanIn)
    {
        float max = 0f;
        foreach (float v in weight) max = Math.Max(max, Math.Abs(v));
        var s = new float[weight.Length];
        if (max == 0f) return s;
        double scale = Math.Sqrt(6.0 / fanIn) / max;
        for (int i = 0; i < s.Length; i++) s[i] = (float)(weight[i] * scale);
        return s;
    }

    /// <summary>Re-cuts the global mask from the current |s| (the device masks follow).</summary>
    public void Recompute()
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        // Read into buffers kept for the run: a cut at every step allocates nothing.
        for (int i = 0; i < scores.Length; i++)
        {
            var value = scores[i].Value;
            var a = magnitudes[i];
            value.Backend.Download<float>(value.Buffer, a);
            System.Numerics.Tensors.TensorPrimitives.Abs(a, a);
        }
        GlobalSelection.Cut(magnitudes, Removed, hostMasks, scratch);
        for (int i = 0; i < scores.Length; i++) masks[i].Backend.Upload<float>(hostMasks[i], masks[i].Buffer);
        var (seconds, count) = SelectionTime;
        SelectionTime = (seconds + System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds, count + 1);
    }

    /// <summary>The current masks by weight name (copies).</summary>
    public Dictionary<string, float[]> Masks() =>
        weights.Select((w, i) => (w.Name, Mask: (float[])hostMasks[i].Clone())).ToDictionary(x => x.Name, x => x.Mask);

    /// <summary>Detaches the views (the layers run on W again) and releases scores and masks.</summary>
    public void Dispose()
    {
        foreach (var w in weights) w.Layer.WeightView = null;
        foreach (var s in scores) s?.Dispose();
        foreach (var m in masks) m?.Dispose();
    }
}
