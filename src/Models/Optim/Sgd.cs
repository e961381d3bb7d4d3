using SparseCore.Kernels.Optim;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Optim;

/// <summary>
/// torch.optim.SGD: momentum, dampening, Nesterov, L2 weight decay. Parameters in
/// <paramref name="withoutDecay"/> take no weight decay — torch's second parameter group with
/// weight_decay 0, as a visual prompt fine-tuned beside the network's weights has.
/// </summary>
public sealed class Sgd(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f,
                        float weightDecay = 0f, bool nesterov = false, float dampening = 0f,
                        IEnumerable<Parameter>? withoutDecay = null)
    : Optimizer(parameters, learningRate)
{
    private readonly HashSet<Parameter> noDecay = new(withoutDecay ?? [], ReferenceEqualityComparer.Instance);

    public float Momentum { get; } = momentum;
    public float WeightDecay { get; } = weightDecay;
    public bool Nesterov { get; } = nesterov;
    public float Dampening { get; } = dampening;

    public override IReadOnlyList<string> StateNames => Momentum != 0 ? ["momentum_buffer"] : [];

    protected override void Update(Parameter p, Tensor[] state)
    {
        float decay = noDecay.Contains(p) ? 0f : WeightDecay;
        var hyper = new SgdHyper(LearningRate, Momentum, Dampening, decay, Nesterov, FirstStep: StepCount == 1);
        p.Value.Backend.SgdStep(p.Value.Buffer, p.Grad!.Buffer, state.Length > 0 ? state[0].Buffer : null, hyper, p.Value.Size);
    }
}
