using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// A layer or a network: named parameters, named buffers (state that is saved but not trained,
/// e.g. running statistics), child modules, and a train/eval mode. Dotted names follow torchvision
/// ("layer1.0.conv1.weight") so weights map one-to-one onto PyTorch state dicts.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<Parameter> parameters = new();
    private readonly List<(string Name, Tensor Value)> buffers = new();
    private readonly List<(string Name, Module Module)> children = new();
    private readonly List<Func<Module, Tensor, Tensor>> forwardHooks = new();

    public bool Training { get; private set; } = true;

    /// <summary>Whether code outside the module changes its output (channel masks): fused paths then stand aside.</summary>
    public bool HasForwardHooks => forwardHooks.Count > 0;

    /// <summary>Runs the layer, then any forward hooks in the order they were added.</summary>
    public Tensor Forward(Tensor x)
    {
        var y = children.Count > 0 && !Autograd.IsEnabled ? ForwardReleasing(x) : ForwardCore(x);
        foreach (var hook in forwardHooks) y = hook(this, y);
        return y;
    }

    // Without a tape nothing reads a composite's intermediates once its output exists, so they go
    // back to the pool when it returns: an evaluation pass then peaks near one block's working set
    // rather than holding the whole forward pass (ResNet-50 at batch 500 would hold about 20 GB).
    private Tensor ForwardReleasing(Tensor x)
    {
        using var scope = new TensorScope();
        return scope.Keep(ForwardCore(x));
    }

    protected abstract Tensor ForwardCore(Tensor x);

    /// <summary>
    /// Adds a function applied to this module's output on every forward (torch's
    /// register_forward_hook with a returned output): how code outside a backbone — channel masks
    /// after a batch-norm, activation probes — acts inside it without the backbone knowing.
    /// Disposing the returned handle removes the hook. Without a tape an enclosing composite's
    /// intermediates are disposed when its forward returns, so a hook that keeps the output it sees
    /// beyond the forward must <see cref="Tensor.Persist"/> it or copy it to the host.
    /// </summary>
    public IDisposable AddForwardHook(Func<Module, Tensor, Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        forwardHooks.Add(hook);
        return new HookHandle(() => forwardHooks.Remove(hook));
    }

    private sealed class HookHandle(Action remove) : IDisposable
    {
        private Action? remove = remove;

        public void Dispose()
        {
            remove?.Invoke();
            remove = null;
        }
    }

    /// <summary>
    /// The output shape for an input shape, without running any kernel, recording this layer's
    /// parameters and multiply-accumulates in <paramref name="trace"/> (the MACs counter's shape walk).
    /// The default suits shape-preserving layers without state (activations, dropout); a module with
    /// parameters or children must say how its shapes flow.
    /// </summary>
    public virtual Shape Trace(Shape input, ShapeTrace trace)
    {
        if (parameters.Count > 0 || children.Count > 0)
            throw new NotSupportedException($"{GetType().Name} at '{trace.Name}' has parameters or children but does not override Trace");
        return input;
    }

    protected Parameter AddParameter(string name, Tensor value)
    {
        var p = new Parameter(name, value);
        parameters.Add(p);
        return p;
    }

    protected Tensor AddBuffer(string name, Tensor value)
    {
        buffers.Add((name, value.Persist()));
        return value;
    }

    protected T AddModule<T>(string name, T module) where T : Module
    {
        children.Add((name, module));
        return module;
    }

    /// <summary>
    /// Adds every child of <paramref name="inner"/> under its own name, so that a wrapper (a prompt in
    /// front, a label mapping behind) keeps the wrapped network's parameter and buffer names and its
    /// checkpoints; refused when <paramref name="inner"/> holds parameters or buffers of its own.
    /// </summary>
    protected void AdoptChildren(Module inner, string wrapper)
    {
        if (inner.NamedParameters().Count() != inner.Children.Sum(c => c.Module.NamedParameters().Count())
            || inner.NamedBuffers().Count() != inner.Children.Sum(c => c.Module.NamedBuffers().Count()))
            throw new NotSupportedException($"{wrapper}: {inner.GetType().Name} keeps parameters or buffers outside its child modules, which cannot be adopted");
        foreach (var (name, child) in inner.Children) AddModule(name, child);
    }

    public IEnumerable<(string Name, Module Module)> Children => children;

    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var p in parameters) yield return (prefix + p.Name, p);
        foreach (var (name, child) in children)
            foreach (var item in child.NamedParameters(prefix + name + ".")) yield return item;
    }

    /// <summary>Every descendant (not this module) with its dotted name, parents before children.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        foreach (var (name, child) in children)
        {
            yield return (prefix + name, child);
            foreach (var item in child.NamedModules(prefix + name + ".")) yield return item;
        }
    }

    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, value) in buffers) yield return (prefix + name, value);
        foreach (var (name, child) in children)
            foreach (var item in child.NamedBuffers(prefix + name + ".")) yield return item;
    }

    public long ParameterCount => Parameters().Sum(p => (long)p.Value.Size);

    /// <summary>Switches this module and every descendant to training (or evaluation) mode.</summary>
    public void Train(bool training = true)
    {
        Training = training;
        foreach (var (_, child) in children) child.Train(training);
    }

    public void Eval() => Train(false);

    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Value.ZeroGrad();
    }

    public virtual void Dispose()
    {
        foreach (var p in parameters) p.Dispose();
        foreach (var (_, b) in buffers) b.Dispose();
        foreach (var (_, c) in children) c.Dispose();
        GC.SuppressFinalize(this);
    }
}
