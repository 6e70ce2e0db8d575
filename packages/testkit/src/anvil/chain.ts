/**
 * A local EVM chain ready for payments: Anvil with the test token ("USD Coin", version "2",
 * 6 decimals, EIP-3009), a second token for tampering tests, the counterfactual wallet factory and
 * Multicall3 at its canonical address; plus helpers that fund wallets and make contract wallets.
 */
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  type Hex,
  http,
  type LocalAccount,
  nonceManager,
  type PublicClient,
  parseEther,
  type Transport,
  type WalletClient,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  DeferredDepositCollector,
  DeferredEscrow,
  Multicall3,
  TestUSDC,
  TestWallet,
  TestWalletFactory,
} from './artifacts.js';
import { type AnvilNode, type AnvilOptions, startAnvil } from './node.js';

/** Where Multicall3 lives on most chains (and where the test kit places it). */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';
/** The test token's EIP-712 domain name and version and its decimals, as real USDC's. */
export const TEST_USDC = { name: 'USD Coin', version: '2', symbol: 'USDC', decimals: 6 } as const;

/** A funded externally owned account. */
export interface TestWalletKey {
  privateKey: Hex;
  account: LocalAccount;
  address: Address;
}

export interface EvmTestChain {
  readonly anvil: AnvilNode;
  readonly rpcUrl: string;
  readonly chainId: number;
  /** CAIP-2 id, `eip155:<chainId>`. */
  readonly network: `eip155:${number}`;
  /** A viem chain for this node. */
  readonly chain: Chain;
  /** A viem public client polling every few milliseconds (viem's 4 s default stalls tests). */
  readonly publicClient: PublicClient<Transport, Chain>;
  /** The deployer: minter of both tokens and holder of ETH. */
  readonly deployer: TestWalletKey;
  /** The test USDC. */
  readonly token: Address;
  /** Another EIP-3009 token with the same name and version (for asset-tampering tests). */
  readonly otherToken: Address;
  readonly walletFactory: Address;
  readonly multicall3: Address;
  /** A new key holding `usdc` atomic units of the token and `eth` wei (default 0 and 1 ETH). */
  newWallet(funds?: { usdc?: bigint; eth?: bigint; token?: Address }): Promise<TestWalletKey>;
  /** Mints `amount` of the token (or `token`) to `address`. */
  mint(address: Address, amount: bigint, token?: Address): Promise<void>;
  /** Sets an address's ETH balance. */
  setEth(address: Address, wei: bigint): Promise<void>;
  balanceOf(address: Address, token?: Address): Promise<bigint>;
  /** Deploys an EIP-1271 TestWallet owned by `owner`. */
  deployContractWallet(owner: Address): Promise<Address>;
  /**
   * A TestWallet that is not deployed yet: its CREATE2 address and the factory call that deploys
   * it (for EIP-6492 signatures).
   */
  counterfactualWallet(
    owner: Address,
    salt?: Hex,
  ): Promise<{ address: Address; factory: Address; factoryCalldata: Hex }>;
  /** Blacklists an address on the token (its transfers then revert, as on USDC). */
  blacklist(address: Address, token?: Address): Promise<void>;
  /**
   * Deploys the deferred rail's escrow and its ERC-3009 deposit collector. With `at`, their runtime
   * code is placed at those addresses instead (anvil_setCode: the escrow keeps no constructor
   * state, the collector's escrow address is an immutable inside its code), e.g. the canonical
   * addresses the official batch-settlement client binds its signatures to.
   */
  deployDeferredEscrow(options?: {
    at?: { escrow: Address; collector: Address };
  }): Promise<{ escrow: Address; collector: Address }>;
  /** Moves the chain's clock forward by `seconds` and mines a block (for withdrawal delays). */
  increaseTime(seconds: number): Promise<void>;
  /** Stops the node. */
  stop(): Promise<void>;
}

export interface EvmTestChainOptions extends AnvilOptions {
  /** Polling interval for viem clients made for this chain, in ms (default 5). */
  pollingInterval?: number;
}

/** A viem chain definition for a local node. */
export function localChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `Anvil ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    contracts: { multicall3: { address: MULTICALL3_ADDRESS } },
    testnet: true,
  });
}

function keyOf(privateKey: Hex): TestWalletKey {
  const account = privateKeyToAccount(privateKey);
  return { privateKey, account, address: account.address };
}

/**
 * Starts Anvil and deploys the test contracts.
 *
 * @example
 * const chain = await startEvmTestChain();
 * const payer = await chain.newWallet({ usdc: 10_000_000n }); // 10 USDC
 * await chain.stop();
 */
export async function startEvmTestChain(options: EvmTestChainOptions = {}): Promise<EvmTestChain> {
  const anvil = await startAnvil(options);
  try {
    return await deployOn(anvil, options.pollingInterval ?? 5);
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

async function deployOn(anvil: AnvilNode, pollingInterval: number): Promise<EvmTestChain> {
  const chain = localChain(anvil.chainId, anvil.rpcUrl);
  const transport = http(anvil.rpcUrl);
  const publicClient = createPublicClient({ chain, transport, pollingInterval });
  const deployerKey = generatePrivateKey();
  const deployer = keyOf(deployerKey);
  // One nonce manager for every transaction the deployer sends, so helpers may run concurrently.
  const deployerAccount = privateKeyToAccount(deployerKey, { nonceManager });
  const wallet: WalletClient<Transport, Chain, LocalAccount> = createWalletClient({
    chain,
    transport,
    account: deployerAccount,
    pollingInterval,
  });
  const setEth = async (address: Address, wei: bigint) => {
    await anvil.rpc('anvil_setBalance', [address, `0x${wei.toString(16)}`]);
  };
  await setEth(deployer.address, parseEther('1000000'));
  await anvil.rpc('anvil_setCode', [MULTICALL3_ADDRESS, Multicall3.deployedBytecode]);

  const confirm = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    return receipt;
  };
  const deploy = async (hash: Hex) => {
    const address = (await confirm(hash)).contractAddress;
    if (!address) throw new Error(`deployment ${hash} created no contract`);
    return address;
  };
  const [token, otherToken, walletFactory] = await Promise.all([
    wallet
      .deployContract({
        abi: TestUSDC.abi,
        bytecode: TestUSDC.bytecode,
        args: [TEST_USDC.name, TEST_USDC.version, TEST_USDC.symbol],
      })
      .then(deploy),
    wallet
      .deployContract({
        abi: TestUSDC.abi,
        bytecode: TestUSDC.bytecode,
        args: [TEST_USDC.name, TEST_USDC.version, 'USDC2'],
      })
      .then(deploy),
    wallet
      .deployContract({ abi: TestWalletFactory.abi, bytecode: TestWalletFactory.bytecode })
      .then(deploy),
  ]);

  const send = async (to: Address, data: Hex) =>
    confirm(await wallet.sendTransaction({ to, data }));
  const mint = async (address: Address, amount: bigint, asset: Address = token) => {
    await send(
      asset,
      encodeFunctionData({ abi: TestUSDC.abi, functionName: 'mint', args: [address, amount] }),
    );
  };
  const balanceOf = (address: Address, asset: Address = token) =>
    publicClient.readContract({
      address: asset,
      abi: TestUSDC.abi,
      functionName: 'balanceOf',
      args: [address],
    });

  return {
    anvil,
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    network: `eip155:${anvil.chainId}`,
    chain,
    publicClient,
    deployer,
    token,
    otherToken,
    walletFactory,
    multicall3: MULTICALL3_ADDRESS,
    async newWallet(funds = {}) {
      const key = keyOf(generatePrivateKey());
      await Promise.all([
        setEth(key.address, funds.eth ?? parseEther('1')),
        funds.usdc ? mint(key.address, funds.usdc, funds.token ?? token) : undefined,
      ]);
      return key;
    },
    mint,
    setEth,
    balanceOf,
    async deployContractWallet(owner) {
      return deploy(
        await wallet.deployContract({
          abi: TestWallet.abi,
          bytecode: TestWallet.bytecode,
          args: [owner],
        }),
      );
    },
    async counterfactualWallet(owner, salt = generatePrivateKey()) {
      const address = await publicClient.readContract({
        address: walletFactory,
        abi: TestWalletFactory.abi,
        functionName: 'walletAddress',
        args: [owner, salt],
      });
      const factoryCalldata = encodeFunctionData({
        abi: TestWalletFactory.abi,
        functionName: 'createWallet',
        args: [owner, salt],
      });
      return { address, factory: walletFactory, factoryCalldata };
    },
    async blacklist(address, asset = token) {
      await send(
        asset,
        encodeFunctionData({ abi: TestUSDC.abi, functionName: 'blacklist', args: [address] }),
      );
    },
    async deployDeferredEscrow(options = {}) {
      const escrow =
        options.at?.escrow ??
        (await deploy(
          await wallet.deployContract({
            abi: DeferredEscrow.abi,
            bytecode: DeferredEscrow.bytecode,
          }),
        ));
      if (options.at) await anvil.rpc('anvil_setCode', [escrow, DeferredEscrow.deployedBytecode]);
      const collector = await deploy(
        await wallet.deployContract({
          abi: DeferredDepositCollector.abi,
          bytecode: DeferredDepositCollector.bytecode,
          args: [escrow],
        }),
      );
      if (!options.at) return { escrow, collector };
      const code = await publicClient.getCode({ address: collector });
      if (!code) throw new Error('the deposit collector has no code');
      await anvil.rpc('anvil_setCode', [options.at.collector, code]);
      return { escrow, collector: options.at.collector };
    },
    async increaseTime(seconds) {
      await anvil.rpc('evm_increaseTime', [seconds]);
      await anvil.rpc('evm_mine', []);
    },
    stop: () => anvil.stop(),
  };
}
