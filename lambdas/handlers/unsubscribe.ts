// Placeholder until the handler is implemented.
export const handler = async (): Promise<{ statusCode: number }> => ({ statusCode: 200 });
