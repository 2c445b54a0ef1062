namespace Repro.Config;

/// <summary>Validation of one profile file: the first failed requirement becomes a <see cref="ConfigException"/> naming the file and key.</summary>
public sealed class ProfileChecks(string source)
{
    public string Source { get; } = source;

    public void Require(bool ok, string key, string what)
    {
        if (!ok) throw new ConfigException($"{Source}: '{key}' {what}");
    }
}
