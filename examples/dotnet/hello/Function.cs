// A hello function for dotnet8 on Vajra, as a .NET custom-runtime executable: the Lambda runtime
// client (Amazon.Lambda.RuntimeSupport) serves the Runtime API; the handler greets the caller.
using Amazon.Lambda.Core;
using Amazon.Lambda.RuntimeSupport;
using Amazon.Lambda.Serialization.SystemTextJson;

var handler = (Dictionary<string, string> input, ILambdaContext context) =>
{
    var name = input.TryGetValue("name", out var n) ? n : "world";
    context.Logger.LogInformation($"greeting {name} (request {context.AwsRequestId})");
    return new Dictionary<string, object>
    {
        ["message"] = $"Hello, {name}!",
        ["functionName"] = context.FunctionName,
        ["memoryLimitInMB"] = context.MemoryLimitInMB,
        ["remainingMs"] = (long)context.RemainingTime.TotalMilliseconds,
    };
};

await LambdaBootstrapBuilder.Create(handler, new DefaultLambdaJsonSerializer()).Build().RunAsync();
