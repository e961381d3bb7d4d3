namespace SparseCore.Kernels.Optim;

/// <summary>PyTorch's SGD semantics. FirstStep seeds the momentum buffer with the raw update.</summary>
public readonly record struct SgdHyper(
    float Lr, float Momentum = 0f, float Dampening = 0f, float WeightDecay = 0f,
    bool Nesterov = false, bool FirstStep = false);
