using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Optim;

/// <summary>
/// Updates parameters from their accumulated gradients with one fused kernel per parameter.
/// State (momentum, Adam moments) is allocated on first use, keyed by parameter, and released
/// with the optimizer. Frozen parameters and parameters without a gradient are skipped.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly Dictionary<Parameter, Tensor[]> state = new(ReferenceEqualityComparer.Instance);

    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate)
    {
        Parameters = parameters.ToArray();
        LearningRate = learningRate;
        BaseLearningRate = learningRate;
    }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The rate used by the next step; schedules set it.</summary>
    public float LearningRate { get; set; }

    public float BaseLearningRate { get; }

    /// <summary>Completed steps (checkpoints restore it, as Adam's bias correction depends on it).</summary>
    public int StepCount { get; protected internal set; }

    public void Step()
    {
        using var _ = Autograd.NoGrad();
        StepCount++;
        foreach (var p in Parameters)
        {
            if (p.Frozen || p.Grad is null) continue;
            Update(p, StateOf(p));
        }
    }

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.Value.ZeroGrad();
    }

    /// <summary>
    /// The per-parameter state tensors, named as torch.optim names them ("momentum_buffer",
    /// "exp_avg", "exp_avg_sq"); empty for plain SGD. Checkpoints store each under its name.
    /// </summary>
    public abstract IReadOnlyList<string> StateNames { get; }

    protected abstract void Update(Parameter p, Tensor[] state);

    /// <summary>Optimizer state by parameter, for checkpoints.</summary>
    public IReadOnlyDictionary<Parameter, Tensor[]> State => state;

    /// <summary>The state of <paramref name="p"/>, allocated (zeroed) if it has none yet; for checkpoint restore.</summary>
    internal Tensor[] StateOf(Parameter p)
    {
        if (!state.TryGetValue(p, out var s))
        {
            s = new Tensor[StateNames.Count];
            for (int i = 0; i < s.Length; i++) s[i] = Tensor.Zeros(p.Value.Backend, p.Value.Shape).Persist();
            state[p] = s;
        }
        return s;
    }

    public void Dispose()
    {
        foreach (var s in state.Values)
            foreach (var t in s) t.Dispose();
        state.Clear();
        GC.SuppressFinalize(this);
    }
}
