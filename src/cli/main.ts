export function main(argv: string[]): number { console.log('hello', argv.length); return 0; }
