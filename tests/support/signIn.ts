/** A supertest agent signed in to the console as this user (its session cookie kept), and the CSRF token of a page. */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { csrfFrom } from './csrf';

export async function signInAgent(url: string, user: { email: string; password: string }): Promise<TestAgent> {
  const agent = request.agent(url);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
  if (res.status !== 302) throw new Error(`sign-in as ${user.email} failed: ${res.status}`);
  return agent;
}

export async function csrfOfPage(agent: TestAgent, path: string): Promise<string> {
  return csrfFrom((await agent.get(path)).text);
}
