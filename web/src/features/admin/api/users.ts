import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { One, Page, QueryOf, User, UserBody } from '@/api/types';
import { api } from '@/lib/api-client';

export type UsersParams = QueryOf<'list-users'>;

export const getUsers = (params: UsersParams) =>
  api.get<Page<User>>('/users', { per_page: 50, ...params });

export const getUsersQueryOptions = (params: UsersParams) =>
  queryOptions({
    queryKey: ['users', 'list', params],
    queryFn: () => getUsers(params),
    placeholderData: keepPreviousData,
  });

export const useUsers = (params: UsersParams) => useQuery(getUsersQueryOptions(params));

export const createUser = async (body: UserBody) =>
  (await api.post<One<User>>('/users', body)).data;

export const updateUser = async ({ id, body }: { id: string; body: UserBody }) =>
  (await api.patch<One<User>>(`/users/${id}`, body)).data;

export const useCreateUser = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: () => qc.invalidateQueries({ queryKey: ['users'] }),
  });
};

export const useUpdateUser = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateUser,
    onSuccess: () => qc.invalidateQueries({ queryKey: ['users'] }),
  });
};
